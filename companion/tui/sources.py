"""Read a cited passage with its quote highlighted, and the whole essay around it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from companion.corpus import load_corpus
from companion.errors import CompanionError
from companion.passages import note_passage, split_essay
from companion.text import find_span, printable, quotes_citing
from companion.types import Cited, is_note

HIGHLIGHT = "bold #2b2220 on #e0a96d"
# How much of a quote (or of a passage's opening) a source's label shows: enough to tell passages apart.
EXCERPT_CHARS = 90


@dataclass(frozen=True)
class Source:
    """A citation as the viewers show it, from a live reply or a saved one."""

    n: int
    passage_id: str
    essay_id: str
    byline: str
    text: str
    verified: bool
    quotes: tuple[str, ...]


@dataclass(frozen=True)
class Shown:
    """A turn on screen: enough to open its sources again."""

    answer: str
    citations: tuple[Cited, ...]


def source_of(shown: Shown, citation: Cited) -> Source:
    """Describe a live or saved citation for the viewers."""
    return Source(
        n=citation.n,
        passage_id=citation.passage_id,
        essay_id=citation.essay_id,
        byline=citation.byline,
        text=citation.text,
        verified=citation.verified,
        quotes=tuple(quotes_citing(shown.answer, citation.n)),
    )


def excerpt(citation: Cited, answer: str, limit: int = EXCERPT_CHARS) -> str:
    """Return what a source's label shows, in at most limit characters: the words the reply quotes, else the opening."""
    found = quotes_citing(answer, citation.n)
    if found:
        return f"“{_shortened(found[0], limit - 2)}”"
    return _shortened(citation.text, limit)


def author_and_title(citation: Cited) -> str:
    """Return who wrote the cited essay, then its title."""
    return f"{citation.author}, {citation.title}" if citation.author else citation.title


def _shortened(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"


def highlighted(text: str, spans: list[tuple[int, int]]) -> Text:
    """Return the text with the given spans highlighted, everything shown literally."""
    shown = Text(printable(text))
    for start, end in spans:
        shown.stylize(HIGHLIGHT, start, end)
    return shown


class SourceScreen(Screen):
    """One cited passage, its quoted words highlighted."""

    CSS_PATH = "sources.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("e", "open_essay", "Whole essay"),
    ]

    def __init__(self, source: Source, corpus_dir: Path | None) -> None:
        super().__init__()
        self.source = source
        self.corpus_dir = corpus_dir

    def compose(self) -> ComposeResult:
        s = self.source
        yield Header()
        with VerticalScroll(id="passage-box"):
            yield Static(Text(f"[{s.n}] {printable(s.byline)}", style="bold"), id="source-title", markup=False)
            where = f"the note on its writers ({s.passage_id})" if is_note(s.passage_id) else f"passage {s.passage_id}"
            yield Static(Text(where, style="dim"), markup=False)
            spans = [span for q in s.quotes if (span := find_span(s.text, q))]
            yield Static(highlighted(s.text, spans), id="passage", markup=False)
            if not s.verified:
                yield Static(Text("The reply's quote was not found in this passage.", style="italic"), markup=False)
        yield Footer()

    def action_open_essay(self) -> None:
        """Open the whole essay at this passage."""
        if self.corpus_dir is None:
            self.notify("No corpus directory is known, so the essay cannot be opened.", markup=False)
            return
        try:
            self.app.push_screen(EssayScreen(self.source, self.corpus_dir))
        except CompanionError as exc:
            self.notify(str(exc), severity="error", markup=False)


class EssayScreen(Screen):
    """A whole essay, scrolled to the cited passage, which is highlighted."""

    CSS_PATH = "sources.tcss"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, source: Source, corpus_dir: Path) -> None:
        super().__init__()
        self.source = source
        essays = {e.id: e for e in load_corpus(corpus_dir)}
        if source.essay_id not in essays:
            raise CompanionError(f"The essay {source.essay_id!r} is no longer in {corpus_dir}.")
        self.essay = essays[source.essay_id]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="essay-box"):
            yield Static(Text(printable(self.essay.title), style="bold"), id="essay-title", markup=False)
            if self.essay.author:
                yield Static(Text(printable(self.essay.author), style="italic"), markup=False)
            note = note_passage(self.essay)
            if note is not None:
                # The note on the writers comes with the essay, before its text; a reply may quote it.
                current = note.id == self.source.passage_id
                classes = "essay-passage essay-note current" if current else "essay-passage essay-note"
                yield Static(Text(printable(note.text), style="italic"), classes=classes, markup=False)
            for passage in split_essay(self.essay):
                current = passage.id == self.source.passage_id
                text = Text(printable(self.essay.body[passage.start : passage.end]))
                yield Static(text, classes="essay-passage current" if current else "essay-passage", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._scroll_to_passage)

    def _scroll_to_passage(self) -> None:
        current = self.query(".current")
        if current:
            self.query_one("#essay-box", VerticalScroll).scroll_to_widget(current.first(), top=True, animate=False)
