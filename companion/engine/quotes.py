"""Compose, quotes: pick the sentence of each passage that speaks to a question, and lay the quotes out."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from companion.engine.route import asks_about_the_whole, asks_for_a_verdict, is_opinion
from companion.policy import POLICY, Policy
from companion.prompts import Prompts
from companion.retrieval.sentences import speaker_at
from companion.retrieval.units import sentence_spans
from companion.text import content_terms, fold, nested, number_word
from companion.types import Evidence
from companion.words import Words

Idf = Callable[[str], float]
# Who says an unsigned essay's words.
UNSIGNED = "the writer"


@dataclass(frozen=True)
class Quote:
    """A verbatim span of a passage, who says it, and who answers within it when it crosses into their turn."""

    text: str
    who: str
    answered_by: str | None = None


def _spans(text: str) -> list[tuple[int, int]]:
    return [(start, end) for start, end, _turn in sentence_spans(text)]


def best_quote(evidence: Evidence, question: str, weights: dict[str, float], policy: Policy = POLICY) -> Quote:
    """Choose the sentence of a passage that speaks most to the question."""
    text = evidence.passage.text
    spans = _spans(text) or [(0, len(text))]
    terms = set(content_terms(question))
    shortest, longest = policy.comfortable_words

    def score(index: int) -> tuple[float, int]:
        a, b = spans[index]
        sentence_terms = set(content_terms(text[a:b]))
        overlap = sum(weights.get(t, 1.0) for t in terms & sentence_terms)
        comfortable = 1 if shortest <= len(text[a:b].split()) <= longest else 0
        return (overlap + policy.comfortable_bonus * comfortable, -index)

    best = max(range(len(spans)), key=score)
    start, end = spans[best]
    if len(text[start:end].split()) < policy.short_sentence and best + 1 < len(spans):
        end = spans[best + 1][1]
    return picked_quote(evidence, (start, end))


def picked_quote(evidence: Evidence, span: tuple[int, int]) -> Quote:
    """Return a span picked from this evidence as a quote, with who says it."""
    start, end = _balanced(evidence.passage.text, *span)
    who = speaker_at(evidence.passage, start) or evidence.passage.author or UNSIGNED
    # A question quoted with its answer ("Do you feel addicted to your phone? JONZE: I definitely…") is the asker's
    # and the answerer's: naming only the asker would give them the answer's words.
    turns = [speaker_at(evidence.passage, a) for a, _, opens in sentence_spans(evidence.passage.text)
             if opens and start < a < end]
    answerer = next((name for name in reversed(turns) if name and name != who), None)
    return Quote(text=evidence.passage.text[start:end], who=who, answered_by=answerer)


def _balanced(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a quotation mark the span opens or closes without its partner, so our own quotes read cleanly."""
    span = text[start:end]
    if (span.startswith("“") and span.count("“") > span.count("”")) or (
        span.startswith('"') and span.count('"') % 2
    ):
        start += 1
    span = text[start:end]
    if (span.endswith("”") and span.count("”") > span.count("“")) or (span.endswith('"') and span.count('"') % 2):
        end -= 1
    return start, end


def term_weights(evidence: tuple[Evidence, ...], idf: Idf | None = None) -> dict[str, float]:
    """Weight words by how rare they are in the corpus, or else among the evidence's sentences."""
    if idf is not None:
        words = {t for e in evidence for t in content_terms(e.passage.text)}
        return {t: idf(t) for t in words}
    sentences = [set(content_terms(e.passage.text[a:b])) for e in evidence for a, b in _spans(e.passage.text)]
    counts: dict[str, int] = {}
    for terms in sentences:
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
    return {t: math.log(1 + len(sentences) / c) for t, c in counts.items()}


def lean(text: str, words: Words, policy: Policy = POLICY) -> int:
    """Return +1 for a clearly warm quote, -1 for a clearly cool one, 0 otherwise."""
    terms = content_terms(text)
    warm = sum(t in words.warm for t in terms)
    cool = sum(t in words.cool for t in terms)
    if warm >= policy.lean_words and cool == 0:
        return 1
    if cool >= policy.lean_words and warm == 0:
        return -1
    return 0


def opener_for(question: str, words: Words) -> str:
    """Name the prompt file whose openers fit the question: opinions and facts are framed differently."""
    # What the film is about, or what they made of it ("did anyone dislike it?"), is a matter of each critic's
    # view, framed as opinions are.
    viewed = is_opinion(question, words) or asks_about_the_whole(question, words) or asks_for_a_verdict(question, words)
    return "openers" if viewed else "openers_fact"


def quoted(
    question: str, evidence: tuple[Evidence, ...], idf: Idf | None = None, policy: Policy = POLICY
) -> list[tuple[Evidence, Quote]]:
    """Pair each useful piece of evidence with the quote it shows."""
    spans = [e.span for e in evidence if e.span is not None]
    if evidence and len(spans) == len(evidence):
        # Picked by their chance of answering (engine/pick.py): every one is meant to be shown.
        return [(e, picked_quote(e, span)) for e, span in zip(evidence, spans)]
    return _chosen_by_words(question, evidence, idf, policy)


def quote_paragraphs(prompts: Prompts, question: str, used: list[tuple[Evidence, Quote]]) -> list[str]:
    """Return one attributed, verbatim, marked paragraph per quote."""
    key = fold(question)
    paragraphs = []
    before: str | None = None
    for position, (item, quote) in enumerate(used):
        # "Over in *Her*…" read oddly right after a quote from *Her*: a quote from the essay just quoted says so.
        again = before == item.passage.essay_id
        if item.passage.note:
            # Nobody says the note on the writers in the essay: it comes with it.
            intro = prompts.choose_nth("attributions_note", key, position, title=item.passage.title)
        elif quote.answered_by:
            intro = prompts.choose_nth(
                "attributions_exchange", key, position, title=item.passage.title, who=quote.who, answerer=quote.answered_by
            )
        elif again:
            intro = prompts.choose_nth("attributions_again", key, position, who=quote.who)
        else:
            intro = prompts.choose_nth("attributions", key, position, title=item.passage.title, who=quote.who)
        before = item.passage.essay_id
        paragraphs.append(f"{intro[0].upper()}{intro[1:]} “{nested(quote.text)}” [{item.n}]")
    return paragraphs


def views_line(
    prompts: Prompts, question: str, used: list[tuple[Evidence, Quote]], policy: Policy = POLICY
) -> str | None:
    """Say in one line where the quoted critics differ or agree, or else how many speak, when more than one does.

    Only the tone the word lists can see is called agreement or difference: a warm quote against a cool one
    from another essay, or every quote leaning the same way. Anything subtler is left to the quotes.
    """
    # Each critic is a voice: an essay's writer, or each of the two writing the conversation when both are quoted.
    voices = {(e.passage.essay_id, q.who) for e, q in used}
    if len(voices) < 2:
        return None
    key = fold(question)
    leans = [lean(q.text, prompts.words, policy) for _, q in used]
    warm = [(e, q) for (e, q), tone in zip(used, leans) if tone > 0]
    cool = [(e, q) for (e, q), tone in zip(used, leans) if tone < 0]
    if warm and cool and (warm[0][0].passage.essay_id, warm[0][1].who) != (cool[0][0].passage.essay_id, cool[0][1].who):
        return prompts.choose("contrast", key, warmer=_named(*warm[0]), cooler=_named(*cool[0]))
    if len(set(leans)) == 1 and leans[0] != 0:
        # "Both of them", not "all two of them".
        every = "both" if len(voices) == 2 else f"all {number_word(len(voices))}"
        return prompts.choose("agree", key, count=every, tone="warm" if leans[0] > 0 else "wistful")
    return prompts.choose("views", key, count=number_word(len(voices)))


def _named(evidence: Evidence, quote: Quote) -> str:
    """Name a quoted critic with their marker; an unsigned essay's writer by its title, as "the writer" is anyone."""
    who = quote.who if quote.who != UNSIGNED else f"{UNSIGNED} of *{evidence.passage.title}*"
    return f"{who} [{evidence.n}]"


def _chosen_by_words(
    question: str, evidence: tuple[Evidence, ...], idf: Idf | None, policy: Policy
) -> list[tuple[Evidence, Quote]]:
    """Quote each passage's sentence richest in the question's words, dropping those that only pad."""
    weights = term_weights(evidence, idf)
    quotes = [(e, best_quote(e, question, weights, policy)) for e in evidence]
    terms = set(content_terms(question))
    total = sum(weights.get(t, 1.0) for t in terms) or 1.0

    def share(quote: Quote) -> float:
        return sum(weights.get(t, 1.0) for t in terms & set(content_terms(quote.text))) / total

    # A quote that shares only a common word with the question (a name, say) would only pad the reply.
    strongest = max((share(q) for _, q in quotes), default=0.0)
    return [(e, q) for e, q in quotes if share(q) > 0 and share(q) >= policy.quote_share * strongest] or quotes[:1]
