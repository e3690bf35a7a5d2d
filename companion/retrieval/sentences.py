"""Rank the sentences of retrieved passages for a question: the evidence a person actually reads.

A passage holds several sentences and usually only one answers. Each sentence gets a fitted chance
of holding the answer (a logistic model, benchmarks/sentence_fit.py) from its own MiniLM similarity
to the question, its neighbours', how much of the question's rarer vocabulary it holds, how well
its passage was retrieved, how near it comes to the questions written for it (companion/asked.py) and
to the question as the map those questions taught moves it (adapter.py), and how the stronger reader
model (reader.py) reads it, whole, word by word (tokens.py) and against the question as a map fit in its space
moves it. The sentences themselves, each with the one it leans on, are cut in units.py; their vectors are kept in
sentence_vectors.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from companion.ranker import Ranker, answer_chances
from companion.retrieval.embedder import Embedder
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.tokens import TokenReader, TokenVectors, best_matches
from companion.retrieval.units import LABEL, embedding_text, sentence_spans, units
from companion.text import content_terms
from companion.types import Hit, Passage

Idf = Callable[[str], float]


@dataclass(frozen=True)
class Candidate:
    """A sentence offered as evidence: verbatim text, its span in the passage, and how well it answers."""

    passage_id: str
    text: str
    start: int
    end: int
    sentence_start: int
    score: float
    dense: float
    lexical: float
    hit_rank: int


# What rank_sentences weighs for each sentence, in this order (a learned logistic model's inputs):
# its cosine to the question; its passage's cosine; its passage's fused retrieval score, scaled to the best
# passage's; 1 / its passage's rank; its passage's BM25 score, scaled to the best; the idf-weighted share
# of the question's words it holds; the closer of its neighbours' cosines; log(1 + its words); whether it
# takes the sentence before along; its best cosine to the question among the questions written for it (its own
# cosine when none were; companion/asked.py), and how far that falls below the best sentence's; its cosine to the
# question moved by the map fit on those written questions (adapter.py; its own cosine without one), and how far
# that falls below the best sentence's; its cosine to the question as the reader model (reader.py) embeds both; how
# far that falls below the best sentence's of the same search (a quote is weighed against the best one found);
# how closely its words meet the question's word by word as the reader reads them (tokens.py), and how far that
# falls below the best sentence's; its reader cosine to the question moved by the map fit in the reader's space, and
# how far that falls below the best sentence's.
FEATURES = (
    "cosine", "passage_cosine", "fused", "reciprocal_rank", "bm25", "words", "neighbour", "length", "leans", "asked",
    "asked_gap", "adapted", "adapted_gap", "reader", "reader_gap", "match", "match_gap", "reader_adapted",
    "reader_adapted_gap",
)
# The reader's columns, last in FEATURES: without a reader the rows stop before them, and a ranker fit without
# them reads the rest (Policy.ranker).
READER_FEATURES = 6


def speaker_at(passage: Passage, position: int) -> str | None:
    """Return who speaks at a position of a passage: the last speaker label before it, else the passage's speaker."""
    text = passage.text
    labels = [m for m in LABEL.finditer(text) if m.end() <= position and (m.start() == 0 or text[m.start()] == " ")]
    if not labels:
        return passage.speaker
    name = labels[-1].group(1).strip()
    # The fuller form the passage metadata knows ("Boone" -> "Steven Boone").
    speaker = passage.speaker
    return speaker if speaker and speaker.lower().endswith(name.lower()) else name.title()


def labelled_turns(passage: Passage) -> list[tuple[int, int]]:
    """Return the spans of the sentences a speaker label inside a passage gives to someone ("JONZE: For obvious…")."""
    return [(a, b) for a, b, _ in sentence_spans(passage.text) if speaker_at(passage, a) not in (None, passage.speaker)]


def writers(passage: Passage) -> list[str]:
    """Return each writer the passage's byline names ("Steven Boone and Jennifer Anise": both)."""
    return [name.strip() for name in re.split(r",|&|\band\b", passage.author or "") if name.strip()]


def named_writers(passage: Passage, words: set[str] | frozenset[str]) -> list[str]:
    """Return the passage's writers these words name ("boone" names Steven Boone)."""
    return [name for name in writers(passage) if set(content_terms(name.replace("-", " "))) & words]


def spoken_of(note: Passage, position: int) -> str | None:
    """Return the writer a note on several writers speaks of at a position: the last of them named by then.

    "Steven Boone is a film critic… He writes a column…": the second sentence is still about Boone.
    """
    named = None
    for start, end, _turn in sentence_spans(note.text):
        if start > position:
            break
        said = set(content_terms(note.text[start:end].replace("-", " ")))
        named = next(iter(named_writers(note, said)), named)
    return named


@dataclass(frozen=True)
class Reader:
    """A second model reading the sentences: its question embedder and the corpus's units read by it, whole and by token."""

    embedder: TokenReader
    vectors: SentenceVectors
    tokens: TokenVectors


def lexical_share(question_terms: set[str], text: str, idf: Idf | None) -> float:
    """Return the idf-weighted share of the question's words that a text holds."""
    if not question_terms:
        return 0.0
    weight = (lambda t: idf(t)) if idf else (lambda t: 1.0)
    total = sum(weight(t) for t in question_terms) or 1.0
    return sum(weight(t) for t in question_terms & set(content_terms(text))) / total


def sentence_features(
    question: str,
    hits: Sequence[Hit],
    embedder: Embedder,
    vectors: SentenceVectors | None = None,
    idf: Idf | None = None,
    query_vector: Sequence[float] | None = None,
    reader: Reader | None = None,
):
    """Return every sentence unit of the hits, each with its hit, and one row of FEATURES per unit.

    Without a reader the rows leave out its columns (the last READER_FEATURES).
    """
    import numpy as np

    pool = [(hit, unit) for hit in hits for unit in units(hit.passage)]
    if not pool or not question.strip():
        return [], np.zeros((0, len(FEATURES) - (0 if reader is not None else READER_FEATURES)))
    vectors = vectors if vectors is not None else SentenceVectors()
    texts = [embedding_text(hit.passage, unit) for hit, unit in pool]
    matrix = vectors.lookup(texts, embedder)
    query = np.asarray(query_vector if query_vector is not None else embedder.embed([question])[0], dtype=np.float32)
    query = query / (np.linalg.norm(query) or 1.0)
    dense = matrix @ query
    best_fused = max(h.score for h in hits) or 1.0
    best_lexical = max((h.lexical or 0.0) for h in hits) or 1.0
    terms = set(content_terms(question))
    rows = []
    for i, ((hit, unit), similarity) in enumerate(zip(pool, dense)):
        same = [j for j in (i - 1, i + 1) if 0 <= j < len(pool) and pool[j][0] is hit]
        neighbour = max((float(dense[j]) for j in same), default=float(similarity))
        text = unit.text(hit.passage)
        rows.append((
            float(similarity), hit.dense or 0.0, hit.score / best_fused, 1.0 / hit.rank,
            (hit.lexical or 0.0) / best_lexical, lexical_share(terms, text, idf), neighbour,
            math.log(1 + len(text.split())), float(unit.lead != unit.start),
        ))
    asked = vectors.closest_asked(pool, query, dense, embedder)
    moved = vectors.adapted(query)
    adapted = dense if moved is None else matrix @ moved
    found = np.column_stack(
        [np.asarray(rows, dtype=np.float64), asked, asked - asked.max(), adapted, adapted - adapted.max()]
    )
    if reader is None:
        return pool, found
    read_matrix = reader.vectors.lookup(texts, reader.embedder)
    read_query = np.asarray(reader.embedder.embed([question])[0], dtype=np.float32)
    read = read_matrix @ read_query
    match = np.asarray(best_matches(reader.embedder.question_tokens(question), reader.tokens.lookup(texts, reader.embedder)))
    read_moved = reader.vectors.adapted(read_query)
    read_adapted = read if read_moved is None else read_matrix @ read_moved
    return pool, np.column_stack(
        [found, read, read - read.max(), match, match - match.max(), read_adapted, read_adapted - read_adapted.max()]
    )


def rank_sentences(
    question: str,
    hits: Sequence[Hit],
    embedder: Embedder,
    model: Ranker,
    vectors: SentenceVectors | None = None,
    idf: Idf | None = None,
    query_vector: Sequence[float] | None = None,
    reader: Reader | None = None,
) -> list[Candidate]:
    """Return the sentences of the hits, likeliest answer first; a candidate's score is its fitted chance."""
    pool, features = sentence_features(question, hits, embedder, vectors, idf, query_vector, reader)
    if not pool:
        return []
    chances = answer_chances(features, model)
    ranked = [
        Candidate(
            passage_id=hit.passage.id, text=unit.text(hit.passage), start=unit.lead, end=unit.end,
            sentence_start=unit.start, score=round(float(chance), 6), dense=round(float(row[0]), 6),
            lexical=round(float(row[5]), 6), hit_rank=hit.rank,
        )
        for (hit, unit), row, chance in zip(pool, features, chances)
    ]
    return sorted(ranked, key=lambda c: (-c.score, c.hit_rank, c.start))


def overlap(one: Candidate, other: Candidate) -> bool:
    """Tell whether two candidates share any text of one passage."""
    return one.passage_id == other.passage_id and one.start < other.end and other.start < one.end


def distinct(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Keep each candidate only if it shares no text with a better one: a sentence and its leaning neighbour overlap."""
    kept: list[Candidate] = []
    for candidate in candidates:
        if not any(overlap(k, candidate) for k in kept):
            kept.append(candidate)
    return kept
