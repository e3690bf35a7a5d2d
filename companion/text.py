"""Text helpers every layer shares: folding, content words, sentences, citation markers and quotes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours yourself yourselves s t don ve ll re m d
    think thinks say says said tell critics critic essay essays writer writers reviewer reviewers film movie
    one ones like really also much many get gets got""".split()
)
# The film's name collides with the pronoun; it never distinguishes one passage from another.
WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
QUOTE_MAP = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "–": "-", "—": "-", "…": "..."})
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# A citation marker "[n]": the one pattern every reader and writer of markers builds on.
MARKER_PATTERN = r"\[(\d{1,3})\]"
MARKER = re.compile(MARKER_PATTERN)
# A span in double quotes, long enough to be a quotation rather than a scare-quoted word.
QUOTED = re.compile(r"[“\"]([^“”\"]{8,}?)[”\"]")
# A speaker label as printed in interviews: "STEVEN BOONE: ..." or "JONZE: ...".
SPEAKER_LABEL = re.compile(r"^\s*(?P<name>[A-Z][A-Z.'’ -]{0,40}[A-Z])\s?:\s")
# Where one sentence of an essay ends and the next begins: the next one starts with a capital or a digit.
# Part of the passage splitter (SPLITTER_VERSION): changing it re-splits every essay.
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
# Where a sentence of a reply ends: at . ! ? … or a line break, after any closing quote and its markers.
REPLY_SENTENCE_END = re.compile(
    r"(?<=[.!?…])(?:[”\"’)]*)(?:\s*" + MARKER_PATTERN.replace("(", "(?:") + r")*[.,;:!?]?(?:\s+|$)|\n+"
)


@lru_cache(maxsize=256)
def short_form(parts: tuple[str, ...]) -> re.Pattern[str]:
    """Return the pattern a short form's parts match as written: apart, hyphenated or joined ("sci fi", "scifi")."""
    return re.compile(r"\b" + r"[\s-]?".join(map(re.escape, parts)) + r"\b", re.IGNORECASE)


def spelled_out(text: str, spellings: Sequence[tuple[tuple[str, ...], str]]) -> str:
    """Return the text with each chat spelling of a word ("wat", "abt") written as the word."""
    for parts, word in spellings:
        text = short_form(parts).sub(word, text)
    return text


def fold(text: str) -> str:
    """Normalise quotes, dashes, case and whitespace so texts compare as a reader would."""
    text = unicodedata.normalize("NFKC", text).translate(QUOTE_MAP).casefold()
    return " ".join(text.split())


AGENT_ENDINGS = ("ctor", "ator", "itor")


def stem(word: str) -> str:
    """Strip common English endings so 'ending', 'ends' and 'ended' meet."""
    word = word.replace("’", "'").split("'")[0]
    for suffix in ("ingly", "ings", "ing", "edly", "ed", "ies", "es", "s", "ly"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            stripped = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            # "themes" is not "them": an "-es" that leaves a common word was only an "-s".
            if suffix == "es" and stripped in STOPWORDS:
                continue
            word = stripped
            break
    # Who does a thing meets the doing: "director" and "directed", "narrator" and "narrates".
    if len(word) >= 5 and word.endswith(AGENT_ENDINGS):
        return word[:-2]
    return word


def stemmed_words(text: str) -> list[str]:
    """Return every word of a text stemmed, the common ones too ("who", "are", "the")."""
    return [stem(w) for w in WORD.findall(fold(text))]


# A dash between words ("the movie—it", "angle – there"): folding makes it a hyphen, which would glue them into one.
DASH = re.compile(r"[—–]|(?<=\s)-|-(?=\s)")


def _words(text: str) -> list[str]:
    """Return a text's folded words, a dash between two words parting them."""
    return WORD.findall(fold(DASH.sub(" ", text)))


def content_terms(text: str) -> list[str]:
    """Return the stemmed words of a text that carry meaning.

    A hyphenated word is one term, written together as people also write it: "co-worker" meets "coworker".
    """
    return [stem(w) for w in (w.replace("-", "") for w in _words(text)) if not _common(w) and len(w) > 1]


# Words people run together with "is" in chat: "whats", "thats", "theres".
CONTRACTED = frozenset("what that there here who he she it where how when why".split())


def _common(word: str) -> bool:
    """Tell whether a word is a common one, or one with "'s" or another ending of speech: "movie's", "what's", "whats".

    A plural is a word of its own: "other films" are not the film.
    """
    bare = word.split("'")[0]
    return bare in STOPWORDS or (word.endswith("s") and word[:-1] in CONTRACTED)


def weighty_terms(text: str) -> set[str]:
    """Return the words of weight in a text; "what's" leaves "what", a stopword all the same."""
    return set(content_terms(text)) - STOPWORDS


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


def number_word(n: int) -> str:
    """Write a count as a sentence would: "five", and figures past twelve."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def listed(items: Iterable[str]) -> str:
    """Join phrases as a sentence lists them: "a", "a and b", "a, b and c"."""
    items = list(items)
    return items[0] if len(items) < 2 else f"{', '.join(items[:-1])} and {items[-1]}"


# A quotation inside a quote is shown in single marks, as print does: “…not called ‘Samantha.’ If anything…”.
INNER_MARKS = str.maketrans({"“": "‘", "”": "’"})


def nested(text: str) -> str:
    """Return a text to show inside double quotation marks: its own double marks become single ones."""
    return text.translate(INNER_MARKS)


def fold_marks(text: str) -> str:
    """Fold a text as quotes are matched to passages: double and single marks alike, as nested() shows them."""
    return marks_alike(fold(text))


def marks_alike(folded: str) -> str:
    """Return an already folded text with its double marks as single ones, as fold_marks() gives."""
    return folded.replace('"', "'")


def printable(text: str) -> str:
    """Show control characters (terminal escapes included) as visible symbols instead of obeying them."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def find_span(haystack: str, needle: str) -> tuple[int, int] | None:
    """Find a quote in a text as a reader would (quotes, dashes, case, spaces folded); return its span."""
    target = fold_marks(needle).strip(" .,;:")
    if not target:
        return None
    # Folding the whole text, as citation checks do, keeps NFKC expansions and compositions intact; the
    # folded length of a prefix only grows with the prefix, so a bisection maps folded offsets back.
    at = fold_marks(haystack).find(target)
    if at < 0:
        return None
    start = _first_prefix(haystack, lambda length: length > at) - 1
    end = _first_prefix(haystack, lambda length: length >= at + len(target))
    # Marks that compose into the last character add no length, yet belong to the quote.
    while end < len(haystack) and _composes(haystack[:end], haystack[end]):
        end += 1
    return start, end


def _composes(before: str, char: str) -> bool:
    """Say whether a character changes the folded text's last character instead of adding one."""
    old, new = fold(before), fold(before + char)
    return len(new) == len(old) and new != old


def _first_prefix(text: str, reached) -> int:
    """Return the shortest prefix length whose folded length satisfies the test."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high) // 2
        if reached(len(fold(text[:middle]))):
            high = middle
        else:
            low = middle + 1
    return low


def markers(text: str) -> list[int]:
    """Return the citation numbers in a text, in order of first appearance."""
    seen: list[int] = []
    for match in MARKER.finditer(text):
        n = int(match.group(1))
        if n not in seen:
            seen.append(n)
    return seen


_CURLY = re.compile("[“”]")
_STRAIGHT = re.compile(r'"([^“”"]{8,}?)"')
# Shortest quotation: anything shorter is a scare-quoted word rather than a quotation.
_SHORTEST_QUOTE = 8


def _curly_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Return the outermost “…” spans (inside the marks), nested pairs kept inside; an unclosed “ is read as text."""
    spans: list[tuple[int, int]] = []
    opened: list[int] = []
    for mark in _CURLY.finditer(text):
        if mark.group() == "“":
            opened.append(mark.end())
        elif opened:
            start = opened.pop()
            if not opened:
                spans.append((offset + start, offset + mark.start()))
    if opened:
        # The earliest mark never closed: what follows it is read again without it.
        spans.extend(_curly_spans(text[opened[0]:], offset + opened[0]))
    return spans


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Return where a text's quotations lie (inside the marks): curly quotes may nest, straight ones do not."""
    curly = _curly_spans(text)
    masked = list(text)
    for start, end in curly:
        masked[start - 1 : end + 1] = " " * (end - start + 2)
    straight = [m.span(1) for m in _STRAIGHT.finditer("".join(masked))]
    return sorted(span for span in curly + straight if span[1] - span[0] >= _SHORTEST_QUOTE)


def quotes(text: str) -> list[str]:
    """Return the spans a text puts in double quotes; a quotation quoting someone else is one span."""
    return [text[start:end] for start, end in quote_spans(text)]


def quotes_citing(answer: str, n: int) -> list[str]:
    """Return the quotes an answer cites with marker n, paragraph by paragraph.

    A paragraph citing one passage cites it for all its quotes; one citing several ("It opens: “…” [1] It comes
    with a note: “…” [2]") cites each for the quotes between the marker before it and its own, markers side by
    side ("“…” [1][2]") sharing theirs.
    """
    found: list[str] = []
    for paragraph in answer.split("\n"):
        cited = markers(paragraph)
        if n not in cited:
            continue
        if len(cited) == 1:
            found.extend(quotes(paragraph))
            continue
        spans, since, last = quote_spans(paragraph), 0, 0
        for marker in MARKER.finditer(paragraph):
            if paragraph[last : marker.start()].strip(" ,;"):
                since = last
            if int(marker.group(1)) == n:
                found.extend(paragraph[a:b] for a, b in spans if since <= a and b <= marker.start())
            last = marker.end()
    return found


def reply_sentences(text: str) -> list[str]:
    """Split a reply into sentences, each with the markers after it; an end inside a quote does not split."""
    quoted = [(start - 1, end + 1) for start, end in quote_spans(text)]
    pieces, start = [], 0
    for match in REPLY_SENTENCE_END.finditer(text):
        if match.start() < start or any(a < match.end() < b for a, b in quoted):
            continue
        pieces.append(text[start : match.end()])
        start = match.end()
    pieces.append(text[start:])
    return [p for p in pieces if p]


def first_sentence(text: str) -> str | None:
    """Return the first sentence of a growing text once whitespace follows it, else None."""
    for piece in reply_sentences(text):
        if piece == piece.rstrip():
            return None
        if piece.strip():
            return piece
    return None
