"""Asked why, a quote giving no reason takes the sentence beside it that gives one."""

from __future__ import annotations

import pytest

from companion.engine.joining import joined_span
from companion.policy import POLICY
from companion.retrieval.sentences import Candidate
from companion.retrieval.units import sentence_spans

TURN = (
    "BOONE: Why do you think it has that title? "
    "ANISE: “Her” because the film is told from a man’s point of view. Notice it’s not called “Samantha.” If "
    "anything, the film could be called “Theodore.” He learns to love her."
)


def _candidates(text: str, chosen: str, score: float = 0.78) -> tuple[Candidate, list[Candidate]]:
    made = []
    for a, b, _ in sentence_spans(text):
        made.append(Candidate(passage_id="e:1", text=text[a:b], start=a, end=b, sentence_start=a,
                              score=score if text[a:b] == chosen else 0.01, dense=0.5, lexical=0.0, hit_rank=1))
    return next(c for c in made if c.text == chosen), made


def _quoted(chosen: str, reasons, text: str = TURN) -> str:
    pick, ranked = _candidates(text, chosen)
    start, end = joined_span(pick, ranked, text, POLICY, None, reasons)
    return text[start:end]


def test_asked_why_a_quote_takes_the_reason_said_just_before_it(prompts):
    reasons = prompts.words.gives_a_reason
    quoted = _quoted("Notice it’s not called “Samantha.”", reasons)
    assert quoted.startswith("“Her” because the film is told")
    assert quoted.endswith("could be called “Theodore.”")
    assert _quoted("Notice it’s not called “Samantha.”", None).startswith("Notice")


def test_a_reason_is_taken_only_within_the_speakers_turn(prompts):
    text = "BOONE: It is called that because of Theodore. ANISE: Notice it’s not called “Samantha” at all, if you look at the film."
    chosen = "Notice it’s not called “Samantha” at all, if you look at the film."
    assert _quoted(chosen, prompts.words.gives_a_reason, text).startswith("Notice")


def test_a_quote_giving_a_reason_already_is_left_as_it_is(prompts):
    text = "It ends on a roof because they need air. The city is below them. Nobody speaks for a while after that."
    assert _quoted("It ends on a roof because they need air.", prompts.words.gives_a_reason, text) == (
        "It ends on a roof because they need air. The city is below them."
    )


@pytest.mark.parametrize(
    ("question", "why"),
    [("random thought but why is it called her and not samantha?", True), ("how come she leaves?", True),
     ("what is it called?", False)],
)
def test_a_question_asking_for_a_reason_is_read(prompts, question, why):
    assert bool(prompts.words.asks_why.search(question)) is why


def test_asked_why_the_film_is_called_her_she_quotes_the_reason(reading_engine):
    reading_engine.history.clear()
    reply = reading_engine.ask("random thought but why is it called her and not samantha?")
    assert "because the film is told from a man’s point of view" in reply.answer
