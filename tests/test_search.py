"""Dense search over the real index."""

from __future__ import annotations

import pytest

from companion.text import fold


def texts(hits):
    return [fold(h.passage.text) for h in hits]


def test_search_finds_the_passage_that_answers(retrieval):
    hits = retrieval.searcher.search("What shot accompanies Samantha's goodbye?", 5)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert any("dust falling through the air" in t for t in texts(hits))
    assert all(hits[i].score >= hits[i + 1].score for i in range(4))


def test_search_scores_are_cosine_similarities(retrieval):
    hits = retrieval.searcher.search("Is Samantha rational or emotional?", 3)
    assert 0.5 < hits[0].score <= 1.0
    assert "rational" in texts(hits)[0]


def test_blank_query_finds_nothing(retrieval):
    assert retrieval.searcher.search("   ", 5) == []


def test_k_larger_than_the_index(retrieval):
    assert len(retrieval.searcher.search("love", 10_000)) == retrieval.store.count()


def test_a_model_that_is_not_on_disk_is_a_clear_error():
    from companion.errors import ModelError
    from companion.retrieval.embedder import SentenceTransformerEmbedder

    with pytest.raises(ModelError, match="Nothing is downloaded"):
        SentenceTransformerEmbedder("no-such-org/no-such-model").load()
