"""Citation verification, the evidence decision, and routing of small talk."""

from __future__ import annotations

import pytest

from companion.engine.covering import covers
from companion.engine.decide import select_evidence
from companion.engine.route import is_opinion
from companion.engine.verify import UNVERIFIED_NOTE, verify
from companion.text import quotes_citing
from companion.types import Evidence, Passage

PASSAGE = Passage(
    id="e:1", essay_id="e", n=1, title="An Essay", author=None, start=0, end=10,
    text="Theodore writes letters for strangers at BeautifulHandwrittenLetters.com, and he is lonely.",
)
OTHER = Passage(
    id="f:1", essay_id="f", n=1, title="Another", author=None, start=0, end=10,
    text="The ending is hopeful: Theodore and Amy sit on the roof at dawn.",
)
EVIDENCE = (Evidence(1, PASSAGE), Evidence(2, OTHER))


def test_a_good_answer_passes_untouched():
    answer = "He writes “letters for strangers” [1]. The ending is “hopeful” [2]."
    checked = verify(answer, EVIDENCE)
    assert checked.answer == answer and checked.dropped == 0
    assert [(c.n, c.verified) for c in checked.citations] == [(1, True), (2, True)]


def test_a_marker_for_a_passage_never_given_is_removed():
    checked = verify("Samantha leaves in the end [7].", EVIDENCE)
    assert "[7]" not in checked.answer and checked.dropped == 1 and checked.citations == ()


def test_an_off_topic_sentence_loses_its_marker():
    checked = verify("Her made $1.1 billion at the box office [1].", EVIDENCE)
    assert "[1]" not in checked.answer and checked.dropped == 1


def test_a_sentence_naming_the_essays_it_compares_keeps_their_markers():
    from dataclasses import replace

    evidence = (Evidence(1, replace(PASSAGE, title="Letters at Dusk")), Evidence(2, replace(OTHER, author="Jo March")))
    line = "Notice how differently they feel it: the writer of *Letters at Dusk* [1] is warmer than Jo March [2]."
    checked = verify(line, evidence)
    assert checked.answer == line and checked.dropped == 0
    # Naming neither, the comparison draws on neither passage's words.
    assert verify("Notice how differently they feel it: the writer [1] is warmer than the writer [2].", evidence).dropped == 2


def test_a_misquote_is_flagged_not_shown_as_valid():
    checked = verify("He writes “love letters for his wife” [1].", EVIDENCE)
    (citation,) = checked.citations
    assert not citation.verified
    assert UNVERIFIED_NOTE in checked.answer


def test_quotes_survive_curly_and_straight_quote_differences():
    checked = verify('The writer says "the ending is hopeful: theodore and amy" [2].', EVIDENCE)
    assert checked.citations[0].verified


def test_a_quotation_shown_in_single_marks_is_found_where_the_essay_has_double_ones():
    from companion.text import find_span

    said = Passage(id="e:2", essay_id="e", n=2, title="An Essay", author=None, start=0, end=10,
                   text="Then she says it again, “No, I am, I’m a bitch, I-” and stops.")
    shown = "Then she says it again, ‘No, I am, I’m a bitch, I-’ and stops."
    assert verify(f"She says: “{shown}” [1].", (Evidence(1, said),)).citations[0].verified
    assert find_span(said.text, shown) == find_span(said.text, said.text) == (0, len(said.text) - 1)
    # Marks count as marks, never as words: a changed word still fails.
    # (It shares "stops" with the passage: a sentence sharing no word of weight with the passage it cites loses its marker.)
    changed = "She says: “Then she says it again, ‘No, I am, I’m a witch, I-’ and stops.” [1]."
    assert not verify(changed, (Evidence(1, said),)).citations[0].verified


def test_opinion_questions_are_told_from_facts(prompts):
    assert is_opinion("What do the critics think of the ending?", prompts.words)
    assert is_opinion("How did the writers feel about Amy?", prompts.words)
    assert not is_opinion("What company does Theodore work for?", prompts.words)


OFF_TOPIC = [
    "How much money did Her make?", "Who won the 2014 World Cup?", "What is the capital of France?",
    "Who composed the score for Her?", "What did the critics say about the box office?", "What is Python?",
    "Which studio distributed Her?", "How many Oscars did Her win?", "Explain quantum computing",
    "What is the weather in Paris today?", "Who directed Blade Runner 2049?", "What is the recipe for lasagna?",
]


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_questions_are_not_covered(retrieval, question):
    hits = retrieval.searcher.search(question, 5)
    assert not covers(question, hits, retrieval.searcher.idf)


def test_opinion_evidence_spreads_across_essays(retrieval):
    question = "What did the critics think of the ending?"
    chosen = select_evidence(retrieval.searcher.search(question, 8), opinion=True)
    essays = [h.passage.essay_id for h in chosen]
    assert len(set(essays)) >= 2 and max(essays.count(e) for e in essays) <= 2


# The person's remembered name in a film reply a model wrote (issue 16 J)

FILLER = [Passage(id=f"g:{i}", essay_id="g", n=i, title="Filler", author=None, start=0, end=10,
                  text="The critics write about the film and its warmth.") for i in range(30)]
CREW = Passage(id="c:1", essay_id="c", n=1, title="Crew", author=None, start=0, end=10, text="Sam Jones held the boom.")


def test_the_persons_name_is_no_film_claim_unless_the_essays_given_name_them():
    from companion.engine.verify import is_claim, uncited
    from companion.retrieval.lexical import LexicalSearcher

    # The BM25 index's own idf over 31 passages, one of them naming a Sam: "sam" is a rarer word there.
    idf = LexicalSearcher.from_passages([*FILLER, CREW]).idf
    for said in ("It's always a special day, Sam.", "Sam, what a day for it."):
        assert is_claim(said, set(), idf), "a name, or a rarer word of the essays"
        assert not is_claim(said, set(), idf, person=["Sam"]), "unless it is the person's own name"
    assert is_claim("Sam, the boom was held by a gaffer.", set(), idf, person=["Sam"]), "other rarer words still count"
    amy = "It's lovely, Amy."
    assert uncited(amy, (), EVIDENCE, None, person=["Amy"]) == (amy,), "the essays given name an Amy"
    assert uncited(amy, (), (Evidence(1, PASSAGE),), None, person=["Amy"]) == ()


def test_a_paragraph_citing_one_passage_cites_it_for_every_quote_and_one_citing_several_each_for_its_own():
    one = "In *X*, she writes: “The first thing she said.” And later: “The second thing she said.” [1]"
    assert quotes_citing(one, 1) == ["The first thing she said.", "The second thing she said."]
    several = ("Anise [1] hears hope, while *X* [2] stays with the ache.\n\n*X* opens: “The words it opens with.” [2] "
               "Its note reads: “The words of the note on it.” [3]")
    assert quotes_citing(several, 2) == ["The words it opens with."]
    assert quotes_citing(several, 3) == ["The words of the note on it."]
    assert quotes_citing(several, 1) == []
    both = "*X* and *Y* agree: “The words they both wrote.” [1][2] Then *Y*: “Words of its own.” [2]"
    assert quotes_citing(both, 1) == ["The words they both wrote."]
    assert quotes_citing(both, 2) == ["The words they both wrote.", "Words of its own."]
