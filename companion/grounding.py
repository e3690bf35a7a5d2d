"""The old home of citation checks and the evidence decision, kept so existing imports still work.

New code imports from where these live: markers and quotes from companion.text, Citation from
companion.types, verification from companion.engine.verify, the decision from companion.engine.covering and companion.engine.decide.
"""

from companion.engine.covering import coverage, covers
from companion.engine.decide import asks_for_ending, select_evidence, spoils_ending
from companion.engine.route import is_opinion
from companion.engine.verify import UNVERIFIED_NOTE, Verified, quote_in, verify
from companion.text import MARKER, QUOTED, markers, quotes
from companion.types import Citation

__all__ = [
    "MARKER", "QUOTED", "UNVERIFIED_NOTE", "Citation", "Verified", "asks_for_ending", "coverage", "covers",
    "is_opinion", "markers", "quote_in", "quotes", "select_evidence", "spoils_ending", "verify",
]
