"""Splitting essays into passages that follow paragraphs and speaker turns."""

from __future__ import annotations

import re
from pathlib import Path

from companion.corpus import Essay, load_corpus
from companion.passages import (
    MAX_WORDS, MIN_WORDS, SPEAKER_LABEL, essay_passages, normalize_space, note_passage, split_essay,
)
from companion.types import is_note
from tests.conftest import CORPUS


def essay(body: str, form: str = "essay") -> Essay:
    return Essay(id="t", title="T", body=body, path=Path("t.md"), form=form)


def words(n: int, start: int = 0) -> str:
    return " ".join(f"w{i}" for i in range(start, start + n))


def test_every_essay_splits_within_bounds_and_loses_no_text():
    for e in load_corpus(CORPUS):
        passages = split_essay(e)
        counts = [len(p.text.split()) for p in passages]
        assert max(counts) <= MAX_WORDS, e.id
        assert min(counts) >= MIN_WORDS or len(passages) == 1, (e.id, counts)
        assert " ".join(p.text for p in passages) == normalize_space(e.body), e.id
        for p in passages:
            assert normalize_space(e.body[p.start : p.end]) == p.text


def test_ids_are_deterministic_and_positional():
    for e in load_corpus(CORPUS):
        first, second = split_essay(e), split_essay(e)
        assert [p.id for p in first] == [p.id for p in second] == [f"{e.id}:{n}" for n in range(1, len(first) + 1)]


def test_short_paragraphs_are_merged():
    body = "One short line.\n\nAnother short one.\n\n" + words(50) + ".\n"
    (passage,) = split_essay(essay(body))
    assert passage.text.startswith("One short line. Another short one. w0")


def test_long_paragraph_splits_at_sentence_boundaries():
    sentences = [f"Then {words(11, i * 12)}." for i in range(40)]
    passages = split_essay(essay(" ".join(sentences) + "\n"))
    assert len(passages) >= 3
    for p in passages:
        assert p.text.endswith("."), p.text[-20:]
        assert MIN_WORDS <= len(p.text.split()) <= MAX_WORDS


def test_a_sentence_longer_than_the_limit_is_still_cut():
    passages = split_essay(essay(words(450) + ".\n"))
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)
    assert " ".join(p.text for p in passages) == words(450) + "."


def test_conversation_turns_keep_their_speaker():
    e = next(x for x in load_corpus(CORPUS) if x.id == "what-her-tells-us")
    passages = split_essay(e)
    assert all(p.speaker in {"Steven Boone", "Jennifer Anise"} for p in passages)
    continued = next(p for p in passages if p.text.startswith("“It’s a peaceful world . . but isolated"))
    assert continued.speaker == "Steven Boone"
    assert continued.embedding_text.startswith("Steven Boone: ")
    # A label never ends a passage: the name travels with the start of its turn.
    for p in passages:
        last = list(re.finditer(r"\b[A-Z]{3,}(?: [A-Z]{3,})?: ", p.text))
        if last:
            assert len(p.text[last[-1].end() :].split()) >= 5, p.id


def test_turns_carry_over_paragraph_breaks_only_in_conversations():
    body = f"ANNA: {words(10)}.\n\n{words(60)}.\n\nBEN: {words(60)}.\n"
    as_conversation = split_essay(essay(body, form="conversation"))
    assert [p.speaker for p in as_conversation] == ["Anna", "Ben"]
    as_essay = split_essay(essay(body))
    assert as_essay[0].speaker == "Anna"
    assert SPEAKER_LABEL.match(as_conversation[1].text)


def test_short_label_maps_to_the_full_name():
    body = f"STEVEN BOONE: {words(50)}.\n\nJANE DOE: {words(50)}.\n\nBOONE: {words(50)}.\n"
    passages = split_essay(essay(body, form="conversation"))
    assert [p.speaker for p in passages] == ["Steven Boone", "Jane Doe", "Steven Boone"]


def test_the_note_on_the_writers_is_a_passage_after_the_body_and_only_when_there_is_one():
    noted = Essay(id="t", title="T", body=words(60) + ".", path=Path("t.md"), author="Ann Lee",
                  about="Ann Lee  is a critic.\nShe writes weekly.")
    note = note_passage(noted)
    assert note is not None and note.note and is_note(note.id)
    assert not any(is_note(p.id) for p in split_essay(noted))
    assert (note.id, note.essay_id, note.text, note.author) == ("t:note", "t", "Ann Lee is a critic. She writes weekly.", "Ann Lee")
    assert essay_passages(noted) == [*split_essay(noted), note]
    assert not any(p.note for p in split_essay(noted))
    plain = essay(words(60) + ".")
    assert note_passage(plain) is None and essay_passages(plain) == split_essay(plain)
