"""Load the persona, the reply templates and the word lists from plain-text files in prompts/."""

from __future__ import annotations

import hashlib
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from companion.errors import PromptError
from companion.words import Words, load_words, read_prompt_file

# name -> placeholders every text in that file must use (and no others)
TEMPLATES: dict[str, frozenset[str]] = {
    "persona": frozenset(),
    "answer": frozenset({"evidence", "question"}),
    "framing": frozenset({"question"}),
    "no_evidence": frozenset(),
    "no_detail": frozenset({"detail"}),
    "openers": frozenset(),
    "openers_fact": frozenset(),
    "openers_one": frozenset(),
    "openers_unsure": frozenset(),
    "openers_told": frozenset(),
    "told_unmet": frozenset(),
    "misspelt": frozenset({"words", "meant"}),
    "read_as": frozenset({"words", "meant"}),
    "not_english": frozenset(),
    "answer_cast": frozenset({"actor", "character"}),
    "answer_casts": frozenset({"credits"}),
    "answer_maker": frozenset({"maker", "credit"}),
    "answer_character": frozenset({"actor", "character"}),
    "answer_number": frozenset({"number"}),
    "answer_name": frozenset({"name"}),
    "attributions": frozenset({"title", "who"}),
    "attributions_again": frozenset({"who"}),
    "attributions_note": frozenset({"title"}),
    "attributions_exchange": frozenset({"title", "who", "answerer"}),
    "closers": frozenset(),
    "greeting": frozenset(),
    "thanks": frozenset(),
    "farewell": frozenset(),
    "feeling": frozenset(),
    "feeling_glad": frozenset(),
    "noted": frozenset({"fact"}),
    "acknowledge": frozenset(),
    "about_her": frozenset(),
    "about_person": frozenset(),
    "contrast": frozenset({"warmer", "cooler"}),
    "agree": frozenset({"count", "tone"}),
    "views": frozenset({"count"}),
    "reminder": frozenset(),
    "spoiler": frozenset(),
    "recall": frozenset({"fact"}),
    "welcome_back": frozenset({"gap", "name"}),
    "chat": frozenset({"message"}),
    "person_known": frozenset({"facts"}),
    "her_feelings": frozenset(),
    "met": frozenset({"name"}),
    "no_spoilers": frozenset(),
    "held_back": frozenset(),
    "spoilers_released": frozenset(),
    "library": frozenset({"count"}),
    "library_signed": frozenset({"title", "author"}),
    "library_unsigned": frozenset({"title"}),
    "library_opens": frozenset({"opening"}),
    "library_about": frozenset({"about"}),
    "library_nobody": frozenset({"title"}),
    "library_invite": frozenset(),
    "no_such_quote": frozenset({"shown"}),
    "never_named": frozenset({"essays", "name", "elsewhere"}),
    "named_quiet": frozenset({"essays"}),
}
VARIANT_FILES = frozenset(TEMPLATES) - {"persona", "answer", "framing", "reminder", "chat"}
# Routes told apart by example utterances in prompts/routes/<route>.txt.
ROUTE_EXAMPLES = (
    "film", "follow_up", "greeting", "thanks", "farewell", "feeling", "acknowledge", "about_her", "about_person",
)


def _fields(path: Path, text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise PromptError(f"{path}: broken template ({exc}); write a literal brace as {{{{ or }}}}.") from None


def _variants(text: str) -> tuple[str, ...]:
    """Split a file into paragraphs, dropping '#' comment lines."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    paragraphs = "\n".join(lines).split("\n\n")
    return tuple(" ".join(p.split()) for p in paragraphs if p.strip())


def pick(variants: tuple[str, ...], key: str) -> str:
    """Pick one variant deterministically from a key (the same question, the same words)."""
    digest = int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16)
    return variants[digest % len(variants)]


@dataclass(frozen=True)
class Prompts:
    """The loaded prompt texts (single templates and lists of variants) and the word lists."""

    directory: Path
    texts: dict[str, str]
    variants: dict[str, tuple[str, ...]]
    words: Words
    # route -> example utterances, read from prompts/routes/
    routes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def render(self, name: str, /, **values: str) -> str:
        """Fill a single template with values."""
        return self.texts[name].format(**values)

    def choose(self, name: str, key: str, /, **values: str) -> str:
        """Pick one variant of a file for this key and fill it."""
        return pick(self.variants[name], f"{name}:{key}").format(**values)

    def choose_fresh(self, name: str, key: str, said: Sequence[str]) -> str:
        """Pick one variant for this key, passing over those in what was said lately, so no line comes twice running."""
        turned = [v.format() for v in self._turned(name, key)]
        return next((v for v in turned if not any(v in text for text in said)), turned[0])

    def choose_nth(self, name: str, key: str, position: int, /, **values: str) -> str:
        """Pick the variant after the one chosen for this key, so items of one list read differently."""
        turned = self._turned(name, key)
        return turned[position % len(turned)].format(**values)

    def _turned(self, name: str, key: str) -> list[str]:
        """Return a file's variants starting from the one chosen for this key, the rest in order after it."""
        variants = self.variants[name]
        first = variants.index(pick(variants, f"{name}:{key}"))
        return list(variants[first:] + variants[:first])


def load_prompts(directory: Path) -> Prompts:
    """Read every prompt file and the word lists, or raise PromptError naming the file at fault."""
    directory = Path(directory)
    if not directory.is_dir():
        raise PromptError(f"{directory} is not a directory of prompts: pass --prompts DIR or restore prompts/.")
    texts: dict[str, str] = {}
    variants: dict[str, tuple[str, ...]] = {}
    for name, wanted in TEMPLATES.items():
        path = directory / f"{name}.md"
        text = read_prompt_file(path)
        pieces = _variants(text) if name in VARIANT_FILES else (text.strip(),)
        if not pieces or not pieces[0]:
            raise PromptError(f"{path} is empty: it needs at least one paragraph of text.")
        for piece in pieces:
            _check_fields(path, piece, wanted)
        texts[name] = pieces[0] if name not in VARIANT_FILES else ""
        variants[name] = pieces
    return Prompts(
        directory=directory, texts=texts, variants=variants, words=load_words(directory), routes=load_routes(directory)
    )


def _check_fields(path: Path, piece: str, wanted: frozenset[str]) -> None:
    """Raise PromptError unless a text uses exactly the placeholders its file is read with."""
    found = _fields(path, piece)
    if found != wanted:
        need = ", ".join("{" + f + "}" for f in sorted(wanted)) or "no placeholders"
        raise PromptError(f"{path}: each text must use {need}; found {sorted(found) or 'none'} in {piece[:60]!r}.")


def load_template(directory: Path, name: str, wanted: frozenset[str]) -> str:
    """Read one template only one command uses (prompts/<name>.md), so a prompts folder without it serves the rest."""
    path = Path(directory) / f"{name}.md"
    text = read_prompt_file(path).strip()
    if not text:
        raise PromptError(f"{path} is empty: copy it from the project's prompts/ directory.")
    _check_fields(path, text, wanted)
    return text


def load_routes(directory: Path) -> dict[str, tuple[str, ...]]:
    """Read each route's example utterances, one a line, or raise PromptError naming the file at fault."""
    routes: dict[str, tuple[str, ...]] = {}
    for name in ROUTE_EXAMPLES:
        path = directory / "routes" / f"{name}.txt"
        text = read_prompt_file(path, "prompts/routes/")
        lines = tuple(" ".join(line.split()) for line in text.splitlines() if line.strip() and not line.startswith("#"))
        if not lines:
            raise PromptError(f"{path} has no examples: write at least one utterance of this kind, one a line.")
        routes[name] = lines
    return routes
