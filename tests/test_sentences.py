"""Sentence evidence: units cut from passages, ranked for a question on the real corpus and index."""

from __future__ import annotations

import pytest

from companion.config import REPO_ROOT
from companion.corpus import load_corpus
from companion.passages import split_essay
from companion.policy import POLICY
from companion.retrieval.sentence_vectors import SentenceVectors
from companion.retrieval.sentences import Candidate, distinct, labelled_turns, rank_sentences, speaker_at
from companion.retrieval.units import LABEL, leans, units
from companion.types import Hit, Passage


def _passage(text: str, speaker: str | None = None, pid: str = "x:1") -> Passage:
    return Passage(id=pid, essay_id="x", n=1, title="X", author=None, text=text, start=0, end=len(text),
                   speaker=speaker)


@pytest.fixture(scope="module")
def corpus_passages() -> list[Passage]:
    return [p for essay in load_corpus(REPO_ROOT / "corpus") for p in split_essay(essay)]


def test_every_unit_is_a_verbatim_span_of_its_passage_without_a_speaker_label(corpus_passages):
    found = 0
    for passage in corpus_passages:
        for unit in units(passage):
            found += 1
            assert unit.text(passage) == passage.text[unit.lead : unit.end]
            assert unit.lead <= unit.start < unit.end
            assert not LABEL.match(passage.text, unit.start)
            assert passage.text[unit.start : unit.end].strip() == passage.text[unit.start : unit.end]
    assert found > len(corpus_passages)


def test_a_sentence_that_leans_on_the_one_before_takes_it_along():
    passage = _passage("Theodore writes letters for strangers every day. But he cannot write his own to Catherine.")
    first, second = units(passage)
    assert (first.lead, second.lead) == (first.start, first.start)
    assert second.text(passage) == passage.text


def test_a_sentence_that_stands_alone_is_quoted_alone():
    passage = _passage("Theodore writes letters for strangers every day. Samantha reads every one of them aloud.")
    _, second = units(passage)
    assert second.text(passage) == "Samantha reads every one of them aloud."


def test_a_new_speakers_turn_never_takes_the_line_before():
    passage = _passage("BOONE: Did the ending make you cry at all? ANISE: It broke me into small pieces, honestly.")
    first, second = units(passage)
    assert first.text(passage) == "Did the ending make you cry at all?"
    assert second.text(passage) == "It broke me into small pieces, honestly."


def test_a_label_after_a_heading_with_no_stop_opens_a_sentence_of_its_own():
    # The heading was read with the interviewer's question as one sentence, quoted for anything about the interview.
    passage = _passage("from Interview Magazine: Nicole Holofcener chats with Spike Jonze HOLOFCENER: So tell me about it. "
                       "JONZE: Every interviewer asks me about that.")
    heading, asked, answer = units(passage)
    assert heading.text(passage) == "from Interview Magazine: Nicole Holofcener chats with Spike Jonze"
    assert (asked.text(passage), speaker_at(passage, asked.start)) == ("So tell me about it.", "Holofcener")
    assert labelled_turns(passage) == [(asked.start, asked.end), (answer.start, answer.end)]
    # A label's own words are never cut apart, nor is a turn opened by capitals without a colon.
    assert len(units(_passage("He said so. NICOLE HOLOFCENER: Tell me more about it. And ONLY GOD FORGIVES came out."))) == 3


def test_who_speaks_a_sentence_is_the_last_label_before_it_not_the_passages_first_speaker():
    passage = _passage("It broke me. BOONE: Did the ending make you cry? ANISE: It did, into small pieces.", speaker="Jennifer Anise")
    first, second, third = units(passage)
    assert speaker_at(passage, first.start) == "Jennifer Anise"
    assert speaker_at(passage, second.start) == "Boone"
    # The fuller name the passage knows is used for its speaker's label.
    assert speaker_at(passage, third.start) == "Jennifer Anise"


def test_a_quotation_spanning_sentences_is_one_unit_from_where_it_opens():
    passage = _passage("I check my phone a lot. My head goes like, “Did anyone text me? Is anyone thinking about me? "
                       "Does anyone love me?” Later I put it down again, every time.")
    found = [u.text(passage) for u in units(passage)]
    assert "My head goes like, “Did anyone text me? Is anyone thinking about me? Does anyone love me?”" in found
    # The quotation ended: the sentence after it stands alone again.
    assert "Later I put it down again, every time." in found


def test_a_quotation_never_reaches_back_across_a_speakers_turn():
    passage = _passage("BOONE: He says “we grow. ANISE: Apart over time, quietly and without blame.” I agree with that.")
    assert all(not u.text(passage).startswith("He says") or "ANISE" not in u.text(passage) for u in units(passage))


@pytest.mark.parametrize("sentence, leaning", [
    ("This is the Amy who exists now.", True),
    ("It’s not about predicting the future.", True),
    ("Exactly.", True),
    # Saying what the sentence before means ("…represented here: empaths. Not literal psychics, but people…").
    ("Not literal psychics, but people with extraordinary emotional intelligence and compassion.", True),
    ("Nothing in it is cheap or parasitic.", False),
    ("Her is a love story in a different time than ours.", False),
    ("Spike Jonze wrote and directed the film in 2013.", False),
])
def test_which_sentences_lean(sentence, leaning):
    assert leans(sentence) is leaning


class CountingEmbedder:
    """The real query embedder, counting the texts it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.texts: list[str] = []

    def embed(self, texts, progress=None):
        self.texts.extend(texts)
        return self.inner.embed(texts, progress)


def test_saved_vectors_load_only_for_the_same_passages_and_are_not_embedded_again(tmp_path, retrieval):
    passages = [_passage("Theodore writes letters. But he cannot write his own.")]
    counting = CountingEmbedder(retrieval.searcher.embedder)
    built = SentenceVectors.build(passages, counting)
    key = "these passages, read by this model"
    built.save(tmp_path / "sentences", key)
    other = "other passages"
    assert SentenceVectors.load(tmp_path / "sentences", other) is None
    loaded = SentenceVectors.load(tmp_path / "sentences", key)
    assert loaded is not None and len(loaded) == len(built) == 2
    counting.texts.clear()
    hits = [Hit(rank=1, passage=passages[0], score=1.0)]
    ranked = rank_sentences("does he write his own letters?", hits, counting, POLICY.sentence_ranker_alone, loaded)
    # Only the question is embedded: every unit's vector came from the saved file.
    assert counting.texts == ["does he write his own letters?"]
    assert ranked[0].text == "Theodore writes letters. But he cannot write his own."
    (tmp_path / "sentences" / "manifest.json").unlink()
    assert SentenceVectors.load(tmp_path / "sentences", key) is None


def test_a_quote_overlapping_a_better_one_is_left_out():
    def candidate(pid: str, start: int, end: int, score: float) -> Candidate:
        return Candidate(passage_id=pid, text="x" * (end - start), start=start, end=end, sentence_start=start,
                         score=score, dense=score, lexical=0.0, hit_rank=1)

    best = candidate("a:1", 40, 90, 0.9)
    leaning = candidate("a:1", 0, 60, 0.8)  # the sentence before, led into the best one
    after = candidate("a:1", 90, 120, 0.7)
    elsewhere = candidate("b:1", 40, 90, 0.6)
    assert distinct([best, leaning, after, elsewhere]) == [best, after, elsewhere]


def test_nothing_retrieved_ranks_nothing(retrieval):
    assert rank_sentences("who plays theodore?", [], retrieval.searcher.embedder, POLICY.sentence_ranker_alone) == []


def test_every_candidate_is_its_span_of_the_passage_and_its_score_a_chance(retrieval):
    question = "what do the critics think of the ending?"
    hits = retrieval.searcher.search(question, POLICY.sentence_depth)
    ranked = rank_sentences(question, hits, retrieval.searcher.embedder, POLICY.sentence_ranker_alone,
                            retrieval.sentences, retrieval.searcher.idf)
    by_id = {h.passage.id: h.passage for h in hits}
    assert len(ranked) == sum(len(units(h.passage)) for h in hits)
    for candidate in ranked:
        assert by_id[candidate.passage_id].text[candidate.start : candidate.end] == candidate.text
        assert 0.0 < candidate.score < 1.0
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)


# Dev-split questions whose answer the quote choice before the fitted ranker (best_quote per evidence
# passage) missed: the quotes picked now hold it.
@pytest.mark.parametrize("question", [
    "What is the name of the operating system Theodore buys?",
    "Does Samantha wish she were a real human being?",
    "is it antisocial that everyone in the movie is plugged into their earpiece all the time? "
    "what do the writers think",
])
def test_the_quotes_picked_hold_the_answer(retrieval, question):
    from companion.engine.pick import Reading, Wanted, pick_quotes
    from companion.evaluation import QUESTIONS, load_questions
    from companion.evaluation_metrics import fold_gold, groups_hit
    from companion.text import fold

    (asked,) = [q for q in load_questions(QUESTIONS) if q.q == question]
    assert asked.split == "dev", "checks come from the dev split only: test questions stay unseen"
    hits = retrieval.searcher.search(question, POLICY.sentence_depth)
    vectors = retrieval.sentences or SentenceVectors()
    picked = pick_quotes(Wanted(question), hits, Reading(retrieval.searcher.embedder, vectors, retrieval.searcher.idf))
    shown = [e.passage.text[e.span[0] : e.span[1]] for e in picked if e.span]
    assert len(shown) == len(picked) <= POLICY.fact_quotes
    assert any(groups_hit(fold(text), fold_gold(asked.gold)) for text in shown), shown
