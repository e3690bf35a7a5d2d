"""Write, with a model that writes freely, the questions each sentence of an essay answers (questions/<id>.jsonl).

An essay added without its questions file is found by its sentences' words alone, and the ranker then reads it
less well than the essays written questions (corpus/README.md). The shipped files were written by language models
reading each sentence in its passage; this asks the person's own model the same, sentence by sentence, and keeps
every question in the file as it goes, so an interrupted run loses nothing and a second run goes on where it
stopped.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from companion.asked import MAX_QUESTION_CHARS, QUESTIONS_DIR, read_questions_file
from companion.backends.base import Backend, GenerationRequest, Message
from companion.corpus import Essay, load_corpus
from companion.errors import CompanionError, ConfigError
from companion.passages import essay_passages, normalize_space
from companion.prompts import load_template
from companion.retrieval.units import units

TEMPLATE = "write_questions"
PLACEHOLDERS = frozenset({"essay", "passage", "sentence"})
# Questions kept a sentence: the shipped files hold 0 to 4, and more blur what a sentence is asked for.
MOST_QUESTIONS = 4
# Tokens a model may spend on one sentence's questions: four short questions need about 80.
QUESTION_TOKENS = 200
# Low, so the questions stay on what the sentence says; not zero, so they are not all worded alike.
TEMPERATURE = 0.3
# A list marker, numbering or label a model puts before each line ("1.", "-", "•", "Q:", "Question 2:").
MARKER = re.compile(r"^\s*(?:[-*•]+|\(?\d+[.)]|(?:[Qq]|[Qq]uestion\s*)\d*[:.)])\s*")
# A line repeating the template's own labels ("The sentence: \"I cried at the end.\"") echoes the prompt.
ECHO = re.compile(r"^the (?:essay|passage|sentence)\s*:", re.IGNORECASE)
QUOTES = "\"'“”‘’`"


@dataclass(frozen=True)
class Sentence:
    """One sentence of an essay as the questions file keys it, and the passage it is read in."""

    words: str
    passage: str


@dataclass(frozen=True)
class EssayWritten:
    """What one essay's run did: sentences asked, given questions, given none, and those written before."""

    essay_id: str
    path: Path
    asked: int
    written: int
    before: int

    @property
    def empty(self) -> int:
        """Return how many sentences asked were given no questions."""
        return self.asked - self.written

    def summary(self) -> str:
        """Return one line saying what the run did for this essay and where it wrote."""
        return (f"{self.essay_id}: {self.written} of {self.asked} sentences given questions, {self.empty} none "
                f"({self.before} had some already): {self.path}")


def essay_sentences(essay: Essay) -> list[Sentence]:
    """Return every sentence a questions file may hold for an essay, in the essay's order, each once."""
    found: dict[str, Sentence] = {}
    for passage in essay_passages(essay):
        for unit in units(passage):
            words = normalize_space(unit.sentence(passage))
            found.setdefault(words, Sentence(words, passage.text))
    return list(found.values())


def parse_questions(text: str) -> tuple[str, ...]:
    """Return the questions a model wrote, one a line, without list markers, quotes, preambles or repeats."""
    kept: list[str] = []
    for line in text.splitlines():
        line = normalize_space(MARKER.sub("", line)).strip(QUOTES + " ")
        # "Here are four questions:" introduces, "Here's a possible answer." states (none of the 1,466 shipped questions
        # ends in "." or "!", 332 of them without "?"); a line of one word or past the file's limit is no question.
        if line.endswith((":", ".", "!")) or ECHO.match(line) or len(line.split()) < 2 or len(line) > MAX_QUESTION_CHARS:
            continue
        if line.casefold() not in {k.casefold() for k in kept}:
            kept.append(line)
    return tuple(kept[:MOST_QUESTIONS])


def ask_model(backend: Backend, template: str, essay: Essay, sentence: Sentence) -> tuple[str, ...]:
    """Return the questions the model writes for one sentence; its reasoning, if it thinks aloud, is left out."""
    byline = f"{essay.title}, by {essay.author}" if essay.author else essay.title
    prompt = template.format(essay=byline, passage=sentence.passage, sentence=sentence.words)
    request = GenerationRequest(
        messages=(Message("user", prompt),), question=sentence.words, max_tokens=QUESTION_TOKENS,
        temperature=TEMPERATURE,
    )
    return parse_questions("".join(piece for piece in backend.stream(request) if isinstance(piece, str)))


def write_file(path: Path, records: Sequence[tuple[str, tuple[str, ...]]]) -> None:
    """Write a questions file whole, through a temporary file, so a reader never meets half of it."""
    temporary = path.with_name(f".{path.name}.writing")
    lines = [json.dumps({"sentence": s, "questions": list(q)}, ensure_ascii=False) for s, q in records if q]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text("".join(line + "\n" for line in lines), "utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise CompanionError(
            f"Cannot write {path} ({exc.strerror}): copy the corpus somewhere writable and pass --corpus DIR "
            "(or set COMPANION_CORPUS_DIR)."
        ) from None


def write_questions(
    corpus_dir: Path, prompts_dir: Path, backend: Backend, essay_ids: Sequence[str] = (),
    told: Callable[[int, int, str], None] = lambda done, total, essay_id: None,
) -> list[EssayWritten]:
    """Ask the model for the questions of every sentence not yet written any, essay by essay, keeping each at once."""
    if backend.capabilities.writes != "freely":
        raise ConfigError(
            f"The {backend.name} backend's model does not write freely, so it cannot write questions (the shipped 135M "
            "model's are echoes and chatter: corpus/README.md). Choose a profile whose model writes, such as an Ollama, vLLM "
            "or OpenAI one: `companion write-questions --backend NAME` (see `companion models`)."
        )
    template = load_template(prompts_dir, TEMPLATE, PLACEHOLDERS)
    essays = load_corpus(corpus_dir)
    known = {essay.id: essay for essay in essays}
    unknown = [i for i in essay_ids if i not in known]
    if unknown:
        raise ConfigError(f"No essay has the id {', '.join(unknown)}; the essays are {', '.join(sorted(known))}.")
    chosen = [known[i] for i in dict.fromkeys(essay_ids)] if essay_ids else essays
    return [_write_essay(corpus_dir, essay, frozenset(known), backend, template, told) for essay in chosen]


def _write_essay(
    corpus_dir: Path, essay: Essay, ids: frozenset[str], backend: Backend, template: str,
    told: Callable[[int, int, str], None],
) -> EssayWritten:
    """Write one essay's missing questions, rewriting its file after each sentence."""
    path = Path(corpus_dir) / QUESTIONS_DIR / f"{essay.id}.jsonl"
    before = {s: q for (_, s), q in read_questions_file(path, ids).items()} if path.exists() else {}
    sentences = essay_sentences(essay)
    records = {s.words: before.get(s.words, ()) for s in sentences}
    # Lines for sentences edited since are kept after the essay's own: they are the person's, and an edit may be undone.
    records.update(before)
    missing = [s for s in sentences if not records[s.words]]
    written = 0
    for n, sentence in enumerate(missing):
        told(n, len(missing), essay.id)
        try:
            questions = ask_model(backend, template, essay, sentence)
        except CompanionError as exc:
            raise CompanionError(
                f"{exc} The questions written before it are kept in {path}; run `companion write-questions "
                f"{essay.id}` again to go on."
            ) from None
        if questions:
            records[sentence.words] = questions
            write_file(path, list(records.items()))
            written += 1
    told(len(missing), len(missing), essay.id)
    return EssayWritten(essay.id, path, len(missing), written, len(sentences) - len(missing))
