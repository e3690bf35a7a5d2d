"""Quote-first replies: the sentence that answers is quoted first, the answer leads, few quotes, all verbatim."""

from __future__ import annotations

import pytest

from companion.backends.extractive import ExtractiveBackend
from companion.engine import Engine
from companion.engine.answer import answer_span
from companion.engine.picks import pick_quotes
from companion.engine.verify import quote_in
from companion.evaluation import QUESTIONS, load_questions
from companion.evaluation_metrics import fold_gold, groups_hit
from companion.policy import POLICY
from companion.text import fold, quotes
from companion.types import Evidence
from tests.fakes import BagOfWords, hit, passage


@pytest.fixture
def quoting(retrieval, prompts) -> Engine:
    """An extractive engine over the shared index, with the sentence vectors built with it."""
    return Engine(searcher=retrieval.searcher, backend=ExtractiveBackend(), prompts=prompts,
                  sentences=retrieval.sentences)


def _dev(question: str):
    (asked,) = [q for q in load_questions(QUESTIONS) if q.q == question]
    assert asked.split == "dev", "checks come from the dev split only: test questions stay unseen"
    return asked


def _shown(reply) -> list[str]:
    cited = [c.passage for c in reply.citations]
    return [q for q in quotes(reply.answer) if any(quote_in(q, p) for p in cited)]


# --- the answer span: only words of the quoted sentence, and only when they answer what was asked

@pytest.mark.parametrize(("question", "sentence", "span"), [
    ("who plays theodore?", "Theodore Twombly (Joaquin Phoenix) has been separated from his wife.", "Joaquin Phoenix"),
    ("who directed Her?", "Writer/Director Spike Jonze has made a film about love.", "Spike Jonze"),
    ("where do they fight?", "Theodore learns in a cabin while the real world rains on him.", "in a cabin"),
    ("how far in the future is it set?", "A story set twenty or so years from now, in Los Angeles.",
     "twenty or so years from now"),
])
def test_the_answer_is_taken_word_for_word_from_the_sentence(prompts, question, sentence, span):
    assert answer_span(question, sentence, prompts.words) == span
    assert span in sentence


@pytest.mark.parametrize(("question", "sentence"), [
    # The sentence names someone and the film asked about, but not who wrote it: no answer, the opener stays.
    ("Who wrote Being John Malkovich?", "Spike Jonze is a high-brow nut – Being John Malkovich tackled consciousness."),
    ("what is the movie about?", "Theodore Twombly (Joaquin Phoenix) has been separated from his wife."),
    ("how many others is she talking to?", "She says she is talking to others."),
])
def test_no_answer_is_made_up_when_the_sentence_does_not_hold_one(prompts, question, sentence):
    assert answer_span(question, sentence, prompts.words) is None


# --- quote choice, with a stand-in embedder

def test_a_line_of_dialogue_inside_the_sentence_is_quoted_without_nesting_quotation_marks():
    text = ("Theodore wishes he could touch Samantha. Then she makes the crucial move by asking, "
            "“How would you touch me?” It is the turn of the film.")
    evidence = (Evidence(1, passage("e", 1, text)),)
    picks = pick_quotes("what does samantha say when theodore wishes he could touch her?", evidence,
                        (hit(1, evidence[0].passage),), BagOfWords(), idf=lambda t: 1.0)
    shown = f"“{picks[0].quote.text}”"
    assert quotes(shown) == [picks[0].quote.text] and picks[0].quote.text in text
    assert "“" not in picks[0].quote.text and "”" not in picks[0].quote.text


def test_a_fact_shows_one_essay_once_never_a_weaker_line_of_the_same_essay():
    first = passage("a", 1, "Theodore writes letters for strangers at a company. He is lonely there. "
                            "Theodore writes letters all day long for strangers.")
    second = passage("a", 2, "Theodore writes letters for strangers and cries at them.")
    evidence = (Evidence(1, first), Evidence(2, second))
    picks = pick_quotes("what does theodore write for strangers?", evidence,
                        (hit(1, first), hit(2, second)), BagOfWords(), idf=lambda t: 1.0)
    assert len({p.evidence.passage.essay_id for p in picks}) == len(picks) == 1


# --- whole replies on dev questions, over the real index

def test_a_who_question_opens_on_the_name_its_first_quote_holds(quoting):
    asked = _dev("Who interviewed Spike Jonze for Interview Magazine?")
    reply = quoting.ask(asked.q)
    first_line = reply.answer.split("\n\n")[0]
    assert "Nicole Holofcener" in first_line and "[1]" in first_line
    assert "Nicole Holofcener" in _shown(reply)[0]


def test_a_where_question_opens_on_the_place_in_its_quote(quoting):
    asked = _dev("Where do Theo and Samantha have their first real fight?")
    reply = quoting.ask(asked.q)
    assert "in a cabin" in reply.answer.split("\n\n")[0]
    assert groups_hit(fold(_shown(reply)[0]), fold_gold(asked.gold))


def test_the_sentence_beside_the_best_comes_along_when_it_holds_the_answer(quoting):
    asked = _dev("Which movies does one of the critics hold up as the opposite of Her - where the city feels "
                 "like a nightmare instead of a dream?")
    reply = quoting.ask(asked.q)
    assert groups_hit(fold(_shown(reply)[0]), fold_gold(asked.gold))


def test_a_compare_question_quotes_several_essays_and_says_how_they_stand(quoting):
    asked = _dev("What do the critics think of Spike Jonze as a filmmaker overall?")
    reply = quoting.ask(asked.q)
    essays = {c.passage.essay_id for c in reply.citations}
    assert len(essays) >= 2 and len(_shown(reply)) >= 2
    view = reply.answer.split("\n\n")[1]
    assert not quotes(view) and sum(name in view for name in ("Her (2013)", "Techno-Lonely", "Shared")) >= 2


FACTS = [
    "What is the name of the operating system Theodore buys?",
    "What does Amy say after explaining the argument that ended her marriage?",
    "Do we actually see Amy break down crying when she tells Theodore about the divorce?",
    "Why does Samantha wake Theodore up in the middle of the night?",
    "What line does Samantha say when Theodore tells her he wishes he could touch her?",
    "After Theodore tells Samantha she's not real, what does he say to defend himself?",
]


def test_factual_replies_show_few_quotes_that_answer_cite_only_them_and_stay_verbatim(quoting):
    shown_total = answered = 0
    for question in FACTS:
        asked = _dev(question)
        quoting.history.clear()
        reply = quoting.ask(asked.q)
        shown = _shown(reply)
        # Every quote verifies, and the reply cites exactly the passages it quotes, numbered as shown.
        assert len(shown) == len(quotes(reply.answer)) and all(c.verified for c in reply.citations)
        assert [c.n for c in reply.citations] == list(range(1, len(reply.citations) + 1))
        assert len(reply.citations) == len(shown) <= POLICY.fact_quotes
        shown_total += len(shown)
        answered += groups_hit(fold(shown[0]), fold_gold(asked.gold)) != set()
    # Before sentence ranking these six replies showed 2.3 quotes each and the first held the answer in 3.
    assert shown_total / len(FACTS) <= 1.5
    assert answered == len(FACTS)
