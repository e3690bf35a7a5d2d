"""Write a saved conversation as a Markdown document whose citations become footnotes."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from companion.grounding import MARKER
from companion.history import Conversation, StoredCitation, Turn
from companion.text import SENTENCE_END, find_span, printable, quotes_citing

QUOTE_CHARS = 300
# A quoted sentence longer than this is shown as the quote with an ellipsis on each side.
SENTENCE_CHARS = 600
SLUG_CHARS = 40
_SPECIAL = re.compile(r"([\\`*_\[\]#<>|~&])")
# These only start a block (list item, setext underline, ordered list) at the beginning of a line.
_BULLET = re.compile(r"^([ \t]*)([-+=])", re.MULTILINE)
_ORDERED = re.compile(r"^([ \t]*)(\d+)([.)])", re.MULTILINE)
# Whitespace except the control characters str.split() also counts, so printable() can still show them.
_SPACE = re.compile(r"[^\S\x1c-\x1f\x85]+")


def export_markdown(conversation: Conversation, turns: list[Turn]) -> str:
    """Render a conversation and its sources as a Markdown document."""
    used = list(dict.fromkeys(f"{t.backend} ({t.model})" if t.model else t.backend for t in turns))
    started = datetime.fromtimestamp(conversation.created_at).astimezone().isoformat(timespec="seconds")
    parts = [
        f"# {_inline(conversation.title)}",
        f"*Started {started} · answered by {_inline(', '.join(used)) if used else 'nobody yet'}*",
    ]
    footnotes: list[str] = []
    for index, turn in enumerate(turns, start=1):
        cited = {c.n: c for c in reversed(turn.citations)}
        parts.append(f"**You:** {_literal(turn.question)}")
        parts.append(f"**Samantha:** {_answer(turn.answer, index, set(cited))}".rstrip())
        if not turn.complete:
            parts.append(f"*(reply cut short: {_inline(turn.error) if turn.error else 'stopped'})*")
        footnotes.extend(_footnote(f"t{index}-{n}", c, quotes_citing(turn.answer, n)) for n, c in sorted(cited.items()))
    if footnotes:
        parts.append("\n".join(footnotes))
    return "\n\n".join(parts) + "\n"


def suggested_filename(conversation: Conversation) -> str:
    """Return a file name for the export that is safe on every file system."""
    ascii_title = unicodedata.normalize("NFKD", conversation.title).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:SLUG_CHARS].rstrip("-") or "conversation"
    return f"companion-{conversation.id}-{slug}.md"


def escape_markdown(text: str) -> str:
    """Backslash-escape whatever would make text render as Markdown markup instead of itself."""
    text = _SPECIAL.sub(r"\\\1", text)
    text = _BULLET.sub(r"\1\\\2", text)
    return _ORDERED.sub(r"\1\2\\\3", text)


def _answer(text: str, index: int, cited: set[int]) -> str:
    """Turn citation markers into footnote references and make control characters visible."""
    # Only markers with a saved citation become references; a dangling one would render as noise.
    text = MARKER.sub(lambda m: f"[^t{index}-{m[1]}]" if int(m[1]) in cited else m[0], text)
    return printable(text.replace("\r\n", "\n").strip())


def _literal(text: str) -> str:
    """Show a person's text as typed: escaped, with control characters visible, line breaks kept."""
    lines = printable(escape_markdown(text.replace("\r\n", "\n").strip("\n"))).split("\n")
    # Hard breaks instead of blank lines keep it one paragraph, so no line can turn into a code block.
    return "\\\n".join(lines)


def _inline(text: str) -> str:
    """Show text literally on one line."""
    return printable(escape_markdown(_SPACE.sub(" ", text).strip()))


def _quoted_sentence(text: str, said: list[str]) -> str:
    """Return the passage's sentence that holds the reply's quote from it, else the passage's opening."""
    flat = _SPACE.sub(" ", text).strip()
    for quote in said:
        span = find_span(flat, quote)
        if span is None:
            continue
        ends = [m.start() for m in SENTENCE_END.finditer(flat)]
        start = max([0, *(m.end() for m in SENTENCE_END.finditer(flat) if m.end() <= span[0])])
        end = min([len(flat), *(e for e in ends if e >= span[1])])
        if end - start <= SENTENCE_CHARS:
            return flat[start:end]
        return ("…" if span[0] > start else "") + flat[span[0] : span[1]] + ("…" if span[1] < end else "")
    return flat if len(flat) <= QUOTE_CHARS else flat[: QUOTE_CHARS - 1].rstrip() + "…"


def _footnote(key: str, citation: StoredCitation, said: list[str] = ()) -> str:
    """Return the footnote definition that names a cited passage and gives the sentence the reply quoted."""
    quote = _quoted_sentence(citation.text, list(said))
    author = f", {_inline(citation.author)}" if citation.author else ""
    line = f'[^{key}]: *{_inline(citation.title)}*{author} ({_inline(citation.passage_id)}): "{_inline(quote)}"'
    return line if citation.verified else line + " (quote not verified)"
