"""Mask API keys in text from outside before it can be shown, saved or exported."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

MASK = "[redacted]"
# Shorter values are ordinary words too often to be hidden everywhere they appear.
MIN_SECRET = 4
# This many characters in a row copied out of a key are a piece of it (a truncated or split echo), not chance.
FRAGMENT = 8
# A stream holds back at most this much text while waiting to see whether a token is a key.
MAX_HOLD = 1024

_TOKEN = r"[A-Za-z0-9._~+/-]+=*"
# Key-shaped tokens whose value is not known: OpenAI-style keys, and whatever follows "Bearer ".
_SK_KEY = re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{8,}")
_BEARER = re.compile(rf"(?<![A-Za-z0-9])bearer\s+({_TOKEN})", re.IGNORECASE)
# The end of a text where a key-shaped token may have begun and still be arriving.
_OPEN_TAIL = re.compile(
    rf"(?<![A-Za-z0-9])(?:s(?:k(?:-[A-Za-z0-9_-]*)?)?|(?i:b(?:e(?:a(?:r(?:e(?:r(?:\s+(?:{_TOKEN})?)?)?)?)?)?)?))\Z"
)

Span = tuple[int, int, int]  # start and end of what to mask, and where the match that found it starts


def usable(secrets: Iterable[str | None]) -> tuple[str, ...]:
    """Return the secrets worth masking: stripped, long enough, each once."""
    found = (s.strip() for s in secrets if s)
    return tuple(dict.fromkeys(s for s in found if len(s) >= MIN_SECRET))


def _looks_like_token(token: str) -> bool:
    # "the bearer of bad news" must survive; real tokens are long and carry digits or are very long.
    return len(token) >= 8 and (any(c.isdigit() for c in token) or len(token) >= 24)


@lru_cache(maxsize=8)
def _windows(secret: str) -> frozenset[str]:
    """Return every FRAGMENT-long run of a secret: any longer piece of it is covered by these."""
    return frozenset(secret[i : i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1))


def _spans(text: str, secrets: tuple[str, ...]) -> list[Span]:
    """Find everything in text that is a key, a piece of one, or shaped like one."""
    spans: list[Span] = []
    for secret in secrets:
        if len(secret) <= FRAGMENT:
            start = text.find(secret)
            while start != -1:
                spans.append((start, start + len(secret), start))
                start = text.find(secret, start + 1)
            continue
        windows = _windows(secret)
        spans += [(i, i + FRAGMENT, i) for i in range(len(text) - FRAGMENT + 1) if text[i : i + FRAGMENT] in windows]
    spans += [(m.start(), m.end(), m.start()) for m in _SK_KEY.finditer(text)]
    spans += [(m.start(1), m.end(1), m.start()) for m in _BEARER.finditer(text) if _looks_like_token(m[1])]
    return spans


def _mask(text: str, spans: Iterable[Span]) -> str:
    """Replace each run of overlapping or touching spans with one mask."""
    parts: list[str] = []
    shown = 0  # where the text not yet copied begins
    masked: int | None = None  # where the current run of spans ends
    for start, end, _anchor in sorted(spans):
        if masked is not None and start <= masked:
            masked = max(masked, end)
            continue
        if masked is not None:
            shown = masked
        parts += [text[shown:start], MASK]
        masked = end
    parts.append(text[masked if masked is not None else shown :])
    return "".join(parts)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Return text with every known secret, every piece of one, and every key-shaped token masked."""
    return _mask(text, _spans(text, usable(secrets)))


def _safe_cut(text: str, secrets: tuple[str, ...], spans: list[Span]) -> int:
    """Return how much of text can be masked and let go now, without splitting something that may be a key."""
    # The longest tail that is a piece of a key may grow into a longer piece with the next text.
    # Every tail of a piece is a piece too, so the first tail that is none ends the search.
    size = 0
    while size < len(text) and any(text[-size - 1 :] in secret for secret in secrets):
        size += 1
    cut = len(text) - size
    tail = _OPEN_TAIL.search(text)
    if tail:
        cut = min(cut, tail.start())
    moved = True
    while moved:
        moved = False
        for _start, end, anchor in spans:
            if anchor < cut < end:
                cut, moved = anchor, True
    return cut


def redact_stream(pieces: Iterable[str], secrets: Iterable[str | None]) -> Iterator[str]:
    """Yield the pieces redacted, holding back only a tail that may be the first part of a key.

    If the pieces end in an error, the held text is yielded (redacted) before the error is raised again,
    so a cut stream keeps everything that arrived. Closing this iterator closes the pieces' iterator.
    With no secret to protect, nothing is held: pieces go out one for one, key-shaped tokens masked in each.
    """
    keys = usable(secrets)
    limit = max(MAX_HOLD, 2 * max(map(len, keys), default=0))
    held = ""
    source = iter(pieces)
    try:
        try:
            for piece in source:
                if not keys:
                    yield redact(piece, keys)
                    continue
                held += piece
                spans = _spans(held, keys)
                # A key-shaped run past the limit is no key of ours; it goes out masked as far as it was seen.
                cut = max(_safe_cut(held, keys, spans), len(held) - limit)
                if cut <= 0:
                    continue
                out = _mask(held[:cut], [(s, min(e, cut), a) for s, e, a in spans if s < cut])
                held = held[cut:]
                if out:
                    yield out
        except Exception:
            if held:
                yield redact(held, keys)
            raise
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
    if held:
        yield redact(held, keys)
