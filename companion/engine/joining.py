"""Join a quote's neighbours: the sentences beside the one chosen that belong in the quote for it to read whole."""

from __future__ import annotations

import re
from collections.abc import Sequence

from companion.policy import Policy
from companion.retrieval.sentences import Candidate
from companion.retrieval.units import LABEL, sentence_spans
from companion.text import quote_spans


def joined_span(
    chosen: Candidate, ranked: Sequence[Candidate], text: str, policy: Policy, disputes: re.Pattern[str] | None = None,
    reasons: re.Pattern[str] | None = None,
) -> tuple[int, int]:
    """Return the chosen sentence's span widened over the sentences beside it that belong in the quote.

    The sentence nearest the question is often not the one that answers it: the answer goes on in the next
    sentence ("This isn't a major traumatic incident… The flashbacks don't interrupt him"). A neighbour the
    ranker finds likely (its chance reaches Policy.join_chance, or Policy.join_share of the chosen sentence's when
    that is lower, down to Policy.quote_chance) is quoted with it rather than dropped as a second quote of one
    passage, and so is the one after it when it is as likely. The sentence after is quoted with it whatever its
    chance when it leans on it ("This…", "But…"), as a quote cut before it stops mid-thought, and so is the
    sentence after a quote too short to stand alone (Policy.short_sentence). A neighbour that would make the quote
    longer than Policy.joined_words stays out. A quote never stops on a view its writer disputes in the next
    sentence (disputes, see _undisputed), nor on a question when the sentence after fits (see _answered). Given
    the words that give a reason (reasons: the question asks why), a quote giving none takes the sentence beside
    it that gives one (see _with_reason).
    """
    start, end = chosen.start, chosen.end
    same = [c for c in ranked if c.passage_id == chosen.passage_id]

    def fits(a: int, b: int) -> bool:
        return _fits(text, a, b, policy)

    # Unsure of the chosen sentence, she is as unsure of a neighbour nearly as likely: both come along.
    joins = policy.join_chance
    if policy.join_share:
        joins = min(joins, max(policy.quote_chance, policy.join_share * chosen.score))
    # One neighbour after another, while the next is as likely and the quote fits: an answer may run on.
    while True:
        grown = end
        for other in same:
            beside = other.end > end and other.start >= chosen.sentence_start and not text[end : other.start].strip()
            leans_on_it = other.start == chosen.sentence_start < other.sentence_start
            if beside and (other.score >= joins or leans_on_it):
                grown = other.end if fits(start, other.end) else end
                break
        if grown == end:
            break
        end = grown
    if len(text[start:end].split()) < policy.short_sentence:
        # A short sentence rarely stands alone as an answer ("Notice it's not called "Samantha."" goes on to
        # what it could be called), so the next one comes along whatever its chance.
        for other in same:
            if other.sentence_start >= end and not text[end : other.sentence_start].strip():
                end = other.end if fits(start, other.end) else end
                break
    for other in same:
        if (other.score >= joins and other.start < start and other.end <= chosen.end
                and not text[other.end : start].strip()):
            start = other.start if fits(other.start, end) else start
            break
    if reasons is not None and not reasons.search(text[start:end]):
        start, end = _with_reason(text, start, end, reasons, policy)
    if disputes is not None:
        end = _undisputed(text, start, end, chosen.end, disputes, policy)
    # An answer brought along may open a quotation of its own, and close on a question again: go on while it fits.
    while True:
        closing = _closing(text, start, end)
        grown = _answered(text, start, closing if fits(start, closing) else end, policy)
        if grown == end:
            return start, end
        end = grown


def _with_reason(text: str, start: int, end: int, reasons: re.Pattern[str], policy: Policy) -> tuple[int, int]:
    """Return a quote's span widened over the sentence just before or after it that gives a reason, when one fits.

    Asked why the film is called Her, "Notice it's not called "Samantha."" was quoted and the reason said just
    before it left out ("“Her” because the film is told from a man's point of view…"). Only within a speaker's turn.
    """
    spans = sentence_spans(text)
    at = next((i for i, (a, b, _) in enumerate(spans) if a <= start < b or a >= start), None)
    if at is None:
        return start, end
    after = next((i for i, (a, _, _) in enumerate(spans) if a >= end), None)
    if at > 0 and not spans[at][2] and reasons.search(text[spans[at - 1][0] : spans[at - 1][1]]):
        if _fits(text, spans[at - 1][0], end, policy):
            return spans[at - 1][0], end
    if after is not None and not spans[after][2] and reasons.search(text[spans[after][0] : spans[after][1]]):
        if _fits(text, start, spans[after][1], policy):
            return start, spans[after][1]
    return start, end


def _answered(text: str, start: int, end: int, policy: Policy) -> int:
    """Return where a quote ends so that it does not stop on a question, when the sentence after fits."""
    # A question leaves the reader asking: what it leads to comes next ("…Does anyone love me?’ I have that sort of
    # wrist action…"), or the writer's own answer to it.
    if not text[start:end].rstrip(" \"'’”").endswith("?"):
        return end
    # In an interview the answer opens the next speaker's turn: the label between comes along.
    after = next((b for a, b, _ in sentence_spans(text) if a >= end and _only_a_turn(text[end:a])), None)
    return after if after is not None and _fits(text, start, after, policy) else end


def _only_a_turn(gap: str) -> bool:
    """Tell whether the text between two sentences is only space, or a speaker's label opening a turn ("JONZE: ")."""
    return not gap.strip() or bool(LABEL.fullmatch(gap))


def _undisputed(text: str, start: int, end: int, chosen_end: int, disputes: re.Pattern[str], policy: Policy) -> int:
    """Return where a quote ends so that a view the writer disputes right after it is not left as theirs.

    "…his interpretation was that they had gone up there to contemplate death." reads as the critic's own reading
    of the ending; the next sentence turns it down ("I'm sorry but I disagree."). The dispute comes along, and so
    does the sentence after a dispute too short to say what the writer holds instead; when that makes the quote
    longer than Policy.joined_words, the dispute alone, else the disputed sentence is left out when it was only
    joined to the one chosen.
    """
    spans = [(a, b) for a, b, _ in sentence_spans(text)]

    def after(position: int) -> tuple[int, int] | None:
        return next(((a, b) for a, b in spans if a >= position and not text[position:a].strip()), None)

    def fits(b: int) -> bool:
        return _fits(text, start, b, policy)

    dispute = after(end)
    if dispute is None or not disputes.search(text[dispute[0] : dispute[1]]):
        return end
    following = after(dispute[1])
    if following is not None and len(text[dispute[0] : dispute[1]].split()) < policy.short_sentence and fits(following[1]):
        return following[1]
    if fits(dispute[1]):
        return dispute[1]
    disputed = max((a for a, _ in spans if a < end), default=start)
    kept = max((b for _, b in spans if b <= disputed), default=start)
    return kept if disputed >= chosen_end and kept >= chosen_end else end


def _fits(text: str, start: int, end: int, policy: Policy) -> bool:
    """Tell whether a span of text is short enough to quote whole (Policy.joined_words)."""
    return len(text[start:end].split()) <= policy.joined_words


def _closing(text: str, start: int, end: int) -> int:
    """Return where the sentence closing a quotation that a span opens but does not close ends, else the span's end.

    A quote cut inside a quotation shows a mark that never closes ("…like, ‘Did anyone text me? Is anyone thinking
    about me?"), and leaves out what the quotation comes to ("Does anyone love me?’").
    """
    for opened, closed in quote_spans(text):
        if start <= opened < end < closed:
            return next((b for _, b, _ in sentence_spans(text) if b > closed), len(text))
    return end
