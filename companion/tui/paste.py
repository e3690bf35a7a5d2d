"""Keep a bracketed paste whole when it holds escape characters.

Textual's terminal parser (8.x) reads an escape character inside a bracketed paste as the start of a key
sequence: `one \\e[31mtwo three` arrives as the keys `^[31mtwo three` followed by a paste of `one `, so
the composer stores the words out of order, and keys such as Tab or ? inside a paste act as keys. This
parser hides each escape inside a paste from Textual's parser and gives it back in the Paste event.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual._xterm_parser import XTermParser
from textual.drivers import linux_driver, linux_inline_driver, web_driver

ESC = "\x1b"
PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
# A private-use character stands in for an escape while Textual's parser reads the paste.
STAND_IN = "\ue01b"


class PasteSafeParser(XTermParser):
    """An XTermParser whose Paste events carry every character that was pasted, escapes included."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pasting = False
        # Inside a paste: a tail that may be the start of the closing marker, held until the next read.
        self._held = ""
        # Outside a paste: the last few characters passed on, in case a paste's opening marker was split.
        self._recent = ""

    def feed(self, data: str) -> Iterable[events.Event]:
        if not data:
            guarded, self._held = self._held.replace(ESC, STAND_IN), ""
            if guarded:
                yield from _restored(super().feed(guarded))
            yield from super().feed(data)
            return
        guarded = self._guard(data)
        if guarded:  # an empty feed would tell Textual's parser the input has ended
            yield from _restored(super().feed(guarded))

    def _guard(self, data: str) -> str:
        """Return data with each escape inside a paste replaced by the stand-in."""
        data, self._held = self._held + data, ""
        out: list[str] = []
        at = 0
        while at < len(data):
            if not self._pasting:
                seen = self._recent + data[at:]
                found = seen.find(PASTE_START)
                if found < 0:
                    out.append(data[at:])
                    self._recent = seen[-(len(PASTE_START) - 1):]
                    break
                upto = at + found + len(PASTE_START) - len(self._recent)
                out.append(data[at:upto])
                at, self._pasting, self._recent = upto, True, ""
                continue
            end = data.find(PASTE_END, at)
            if end < 0:
                body = data[at:]
                keep = _marker_prefix(body)
                self._held = body[len(body) - keep:] if keep else ""
                out.append(body[: len(body) - keep].replace(ESC, STAND_IN))
                break
            out.append(data[at:end].replace(ESC, STAND_IN) + PASTE_END)
            at, self._pasting = end + len(PASTE_END), False
        return "".join(out)


def _marker_prefix(text: str) -> int:
    """Return the length of the longest tail of text that could begin the closing marker."""
    for size in range(min(len(PASTE_END) - 1, len(text)), 0, -1):
        if PASTE_END.startswith(text[-size:]):
            return size
    return 0


def _restored(tokens: Iterable[events.Event]) -> Iterable[events.Event]:
    for token in tokens:
        if isinstance(token, events.Paste) and STAND_IN in token.text:
            yield events.Paste(token.text.replace(STAND_IN, ESC))
        else:
            yield token


def install() -> None:
    """Make Textual's terminal and web drivers read input with the paste-safe parser."""
    for driver in (linux_driver, linux_inline_driver, web_driver):
        driver.XTermParser = PasteSafeParser
