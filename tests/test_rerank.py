"""Reranking: the passages a search found, put in the order of their likeliest answering sentence."""

from __future__ import annotations

from dataclasses import replace

from companion.policy import POLICY
from companion.retrieval.rerank import ReadingSearcher
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import FEATURES, READER_FEATURES
from tests.fakes import FakeSearcher, hit, passage

# A ranker reading the sentence's cosine alone, so the tests can say which sentence it prefers.
BY_COSINE = (-20.0, 40.0, *([0.0] * (len(FEATURES) - READER_FEATURES - 1)))
FIRST = passage("her", 1, "The city is a warm haze of pastels. Nobody answers anything here.")
ANSWER = passage("her", 2, "Theodore Twombly is played by Joaquin Phoenix.")
FAR = passage("lonely", 1, "Technology makes us lonely.")


def test_the_passage_holding_the_likeliest_answer_comes_first_and_keeps_its_first_rank():
    inner = FakeSearcher([hit(1, FIRST), hit(2, FAR), hit(3, ANSWER)])
    searcher = ReadingSearcher(inner, SentenceVectors(), BY_COSINE, depth=3)
    found = searcher.search("who played theodore twombly? joaquin phoenix", 3)
    assert found[0].passage.id == ANSWER.id
    assert found[0].rank == 3, "the hit keeps the first search's rank, which the ranker reads"
    assert inner.queries == [("who played theodore twombly? joaquin phoenix", 3)]


def test_only_the_first_searchs_best_are_reordered_and_k_is_kept():
    inner = FakeSearcher([hit(1, FIRST), hit(2, FAR), hit(3, ANSWER)])
    searcher = ReadingSearcher(inner, SentenceVectors(), BY_COSINE, depth=2)
    # The answer sits below the reranked depth: it stays where the first search put it.
    assert [h.passage.id for h in searcher.search("who played theodore twombly? joaquin phoenix", 3)][-1] == ANSWER.id
    assert len(searcher.search("who played theodore?", 1)) == 1
    assert inner.queries[-1] == ("who played theodore?", 2), "at least the reranked depth is searched"
    assert searcher.name == inner.name and searcher.idf is inner.idf


def test_the_engines_search_reranks_the_hybrid_search_with_the_quote_ranker(retrieval):
    searcher = retrieval.searcher
    assert isinstance(searcher, ReadingSearcher) and searcher.model == POLICY.sentence_ranker
    assert retrieval.first_search is searcher.inner
    first = searcher.inner.search("what does amy do for work?", POLICY.sentence_depth)
    found = searcher.search("what does amy do for work?", POLICY.sentence_depth)
    # The same hits, scores and first ranks, in another order: that of the chance each now carries.
    assert [replace(h, chance=None) for h in sorted(found, key=lambda h: h.rank)] == first
    assert [h.passage.id for h in found] != [h.passage.id for h in first]
    assert [h.chance for h in found] == sorted((h.chance for h in found), reverse=True)
