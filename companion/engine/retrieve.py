"""Retrieve: search the essays for a routed question, deeper when it asks for opinions."""

from __future__ import annotations

from dataclasses import dataclass

from companion.engine.route import Routed, is_opinion
from companion.policy import POLICY, Policy
from companion.retrieval.search import Searcher
from companion.types import Hit
from companion.words import Words


@dataclass(frozen=True)
class Retrieved:
    """The passages found for a query, best first, and whether the query asks for opinions."""

    query: str
    opinion: bool
    hits: tuple[Hit, ...]


def retrieve(searcher: Searcher, routed: Routed, k: int, words: Words, policy: Policy = POLICY) -> Retrieved:
    """Search with the routed query; opinions look deeper so that every essay with a view can be heard."""
    opinion = is_opinion(routed.query, words)
    hits = searcher.search(routed.query, max(k, policy.opinion_depth) if opinion else k)
    return Retrieved(query=routed.query, opinion=opinion, hits=tuple(hits))
