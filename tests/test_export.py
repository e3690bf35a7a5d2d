"""Export footnotes give the sentence a reply quoted, not the passage's first few hundred characters."""

from __future__ import annotations

from companion.export import QUOTE_CHARS, export_markdown
from companion.history import Conversation, StoredCitation, Turn

OPENING = "The film opens on a letter. " * 15
PASSAGE = OPENING + "Theodore falls for a voice that learns to love him back. Then the film turns colder."


def footnote(answer: str, text: str = PASSAGE) -> str:
    cited = StoredCitation(1, "essay:3", "essay", "An Essay", "Ann Critic", text, True)
    turn = Turn(1, 1, "q", answer, True, (cited,), "extractive", None, True, None, 0.0)
    exported = export_markdown(Conversation(1, "T", 0.0, 0.0, 1), [turn])
    return next(line for line in exported.splitlines() if line.startswith("[^t1-1]:"))


def test_a_footnote_gives_the_quoted_sentence_even_past_the_opening():
    assert len(OPENING) > QUOTE_CHARS
    line = footnote("She writes that “a voice that learns to love him” [1].")
    assert line.endswith(': "Theodore falls for a voice that learns to love him back."')


def test_a_footnote_without_a_quote_in_the_passage_gives_its_opening():
    line = footnote("Nothing quoted here [1].")
    quote = line.split(': "', 1)[1].rstrip('"')
    assert quote.startswith("The film opens on a letter.") and len(quote) == QUOTE_CHARS and quote.endswith("…")


def test_a_quote_from_another_marker_does_not_choose_the_sentence():
    line = footnote("One “a voice that learns to love him” [2].\nAnother point [1].")
    assert "Theodore" not in line
