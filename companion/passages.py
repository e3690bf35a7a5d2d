"""Split essays into passages that follow paragraphs and speaker turns, plus the note on their writers."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from companion.corpus import Essay
from companion.text import SENTENCE_END, SPEAKER_LABEL
from companion.types import NOTE_ID, Passage

# Part of every essay's index hash: changing how we split must re-split everything.
SPLITTER_VERSION = "2"
MIN_WORDS = 40
MAX_WORDS = 200


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    words: int
    speaker: str | None


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (newlines, no-break spaces) to one space."""
    return " ".join(text.split())


def _speaker_names(essay: Essay) -> dict[str, str]:
    labels = []
    for line in essay.body.split("\n"):
        match = SPEAKER_LABEL.match(line)
        if match:
            labels.append(match.group("name").strip())
    names: dict[str, str] = {}
    for label in labels:
        full = label
        if " " not in label:
            longer = [other for other in labels if " " in other and other.split()[-1] == label]
            if longer:
                full = longer[0]
        names[label] = full.title()
    return names


def _blocks(essay: Essay) -> list[_Unit]:
    """Cut the body at blank lines and at speaker labels."""
    names = _speaker_names(essay)
    carry_speaker = essay.form == "conversation"
    body = essay.body
    blocks: list[_Unit] = []
    speaker: str | None = None
    start: int | None = None
    block_speaker: str | None = None
    offset = 0

    def close(end: int) -> None:
        nonlocal start
        if start is not None:
            text = body[start:end]
            blocks.append(_Unit(start, start + len(text.rstrip()), len(text.split()), block_speaker))
        start = None

    for line in body.split("\n"):
        line_end = offset + len(line)
        if not line.strip():
            close(offset)
            if not carry_speaker:
                speaker = None
        else:
            label = SPEAKER_LABEL.match(line)
            if label:
                close(offset)
                speaker = names.get(label.group("name").strip())
            if start is None:
                start = offset + (len(line) - len(line.lstrip()))
                block_speaker = speaker
        offset = line_end + 1
    close(len(body))
    return blocks


def _sentences(body: str, unit: _Unit) -> list[_Unit]:
    text = body[unit.start : unit.end]
    cuts = [0] + [m.end() for m in SENTENCE_END.finditer(text)] + [len(text)]
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        span = text[a:b]
        if span.strip():
            stripped_end = a + len(span.rstrip())
            pieces.append(_Unit(unit.start + a, unit.start + stripped_end, len(span.split()), unit.speaker))
    return pieces


def _split_words(body: str, unit: _Unit, limit: int) -> list[_Unit]:
    """Cut a sentence that alone exceeds the limit at word boundaries."""
    spans = [m.span() for m in re.finditer(r"\S+", body[unit.start : unit.end])]
    pieces = []
    for i in range(0, len(spans), limit):
        group = spans[i : i + limit]
        pieces.append(_Unit(unit.start + group[0][0], unit.start + group[-1][1], len(group), unit.speaker))
    return pieces


def _split_long(body: str, unit: _Unit) -> list[_Unit]:
    """Split a block over MAX_WORDS at sentence boundaries into balanced chunks."""
    if unit.words <= MAX_WORDS:
        return [unit]
    sentences: list[_Unit] = []
    for sentence in _sentences(body, unit):
        sentences.extend(_split_words(body, sentence, MAX_WORDS) if sentence.words > MAX_WORDS else [sentence])
    target = unit.words / math.ceil(unit.words / MAX_WORDS)
    chunks: list[list[_Unit]] = [[]]
    count = 0
    for sentence in sentences:
        if chunks[-1] and (count + sentence.words > MAX_WORDS or count >= target):
            chunks.append([])
            count = 0
        chunks[-1].append(sentence)
        count += sentence.words
    return [_Unit(c[0].start, c[-1].end, sum(s.words for s in c), unit.speaker) for c in chunks]


def _merge(units: list[_Unit]) -> list[list[_Unit]]:
    groups: list[list[_Unit]] = []
    buffer: list[_Unit] = []
    count = 0
    for unit in units:
        if buffer and (count >= MIN_WORDS or count + unit.words > MAX_WORDS):
            groups.append(buffer)
            buffer, count = [], 0
        buffer.append(unit)
        count += unit.words
    if buffer:
        if count < MIN_WORDS and groups and sum(u.words for u in groups[-1]) + count <= MAX_WORDS:
            groups[-1].extend(buffer)
        else:
            groups.append(buffer)
    return groups


def split_essay(essay: Essay) -> list[Passage]:
    """Split an essay into passages of roughly MIN_WORDS to MAX_WORDS words."""
    units: list[_Unit] = []
    for block in _blocks(essay):
        units.extend(_split_long(essay.body, block))
    passages = []
    for n, group in enumerate(_merge(units), start=1):
        start, end = group[0].start, group[-1].end
        passages.append(
            Passage(
                id=f"{essay.id}:{n}",
                essay_id=essay.id,
                n=n,
                title=essay.title,
                author=essay.author,
                text=normalize_space(essay.body[start:end]),
                start=start,
                end=end,
                speaker=group[0].speaker,
            )
        )
    return passages


def note_passage(essay: Essay) -> Passage | None:
    """Return the note on an essay's writers (its front matter's `about`) as a passage to cite, if it has one."""
    if not essay.about:
        return None
    return Passage(
        id=f"{essay.id}{NOTE_ID}", essay_id=essay.id, n=0, title=essay.title, author=essay.author,
        text=normalize_space(essay.about), start=0, end=0,
    )


def essay_passages(essay: Essay) -> list[Passage]:
    """Return everything of an essay that is searched and cited: its body's passages, then the note on its writers."""
    note = note_passage(essay)
    return [*split_essay(essay), *([note] if note else [])]
