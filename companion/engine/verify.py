"""Verify: every [n] names a passage given, its sentence draws on it, and its quotes are verbatim."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from companion.policy import POLICY, Policy
from companion.retrieval.lexical import UNSEEN
from companion.text import MARKER, MARKER_PATTERN, content_terms, fold, fold_marks, markers, quotes, reply_sentences
from companion.types import Citation, Evidence, Passage

Idf = Callable[[str], float]
UNVERIFIED_NOTE = " *(quote not found in the cited passage)*"
UNCITED_NOTE = " *(uncited)*"
# A sentence opening on the person or on her is warmth or a reaction ("I love that", "You asked..."), not a claim.
_PERSONAL_OPENER = frozenset(
    "i i'm i've i'd i'll me my you you're you've you'd you'll your we we're we've let's let thank thanks".split()
)
_LEAD_IN = frozenset("oh ooh ah aw mm mmm hmm well honestly and so yes yeah".split())
_NUMBER = re.compile(
    r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?"
    r"|thousands?|millions?|billions?|dozens?)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_NOT_NAMES = frozenset({"I", "I'm", "I've", "I'd", "I'll", "I’m", "I’ve", "I’d", "I’ll"})
# A marker with the space before it, so removing it leaves no double space.
REMOVABLE_MARKER = re.compile(r"\s?" + MARKER_PATTERN)
# The last marker on a line, where a failed quote's note goes.
_NO_GROUP = MARKER_PATTERN.replace("(", "(?:")
LAST_MARKER = re.compile(f"({_NO_GROUP})(?!.*{_NO_GROUP})")


@dataclass(frozen=True)
class Verified:
    """An answer after its citations were checked."""

    answer: str
    citations: tuple[Citation, ...]
    dropped: int
    # Sentences that state something about the film with no verified marker (a model that writes freely).
    uncited: tuple[str, ...] = ()


def quote_in(quote: str, passage: Passage) -> bool:
    """Tell whether a quote appears verbatim in a passage, after normalising quotes and spaces."""
    return fold_marks(quote).strip(" .,;:") in fold_marks(passage.text)


def _supports(sentence: str, passage: Passage) -> bool:
    """Tell whether a sentence shares substantive words with the passage it cites, or names its essay or writer.

    "Anise [1] is warmer about it than the writer of *Her makes me sad in the best possible way* [2]" draws on
    both passages by naming them, though it shares no word with what they say.
    """
    own = set(content_terms(MARKER.sub("", sentence)))
    return not own or bool(own & set(content_terms(f"{passage.text} {passage.byline}")))


def verify(answer: str, evidence: Sequence[Evidence]) -> Verified:
    """Check every [n]: it must name a passage given, its quotes must be verbatim, its sentence on topic."""
    by_n = {e.n: e.passage for e in evidence}
    dropped = 0
    text = answer
    # Removing a marker can expose another ("[[9]9]" leaves "[9]"): repeat until nothing changes.
    for _ in range(len(MARKER.findall(answer)) + 1):
        removed = 0
        kept = []
        for sentence in reply_sentences(text):

            def keep(match: re.Match, sentence: str = sentence) -> str:
                nonlocal removed
                passage = by_n.get(int(match.group(1)))
                if passage is None or not _supports(sentence, passage):
                    # A marker for a passage never given, or for one the sentence does not draw on, goes.
                    removed += 1
                    return ""
                return match.group(0)

            kept.append(REMOVABLE_MARKER.sub(keep, sentence))
        text = "".join(kept)
        dropped += removed
        if not removed:
            break
    failed: set[int] = set()
    flagged = []
    for sentence in reply_sentences(text):
        bad = [n for n in markers(sentence) if not all(quote_in(q, by_n[n]) for q in quotes(sentence))]
        failed.update(bad)
        if bad:
            sentence = LAST_MARKER.sub(lambda m: m.group(1) + UNVERIFIED_NOTE, sentence, count=1)
        flagged.append(sentence)
    text = "".join(flagged)
    # Number the surviving citations 1, 2, 3 in reading order, whatever the evidence order was.
    order = markers(text)
    number = {old: new for new, old in enumerate(order, start=1)}
    text = MARKER.sub(lambda m: f"[{number[int(m.group(1))]}]", text)
    citations = tuple(Citation(n=number[n], passage=by_n[n], verified=n not in failed) for n in order)
    return Verified(answer=text, citations=citations, dropped=dropped)


def names_in(text: str, starts: bool = False) -> set[str]:
    """Return the capitalised words a text uses inside its sentences (starts: at their start too, if not stopwords)."""
    found = set()
    for sentence in reply_sentences(text):
        words = _WORD.findall(MARKER.sub("", sentence))
        if starts and words and content_terms(words[0]):
            found.add(words[0].strip("'’-"))
        found.update(w.strip("'’-") for w in words[1:] if w[:1].isupper() and w not in _NOT_NAMES)
    return found


def is_claim(
    sentence: str, names: set[str], idf: Idf | None, policy: Policy = POLICY, person: Collection[str] = ()
) -> bool:
    """Tell whether a sentence states something about the film: a name, a number or its rarer words.

    Questions back, and warmth or reactions that open on the person or on her, are not claims
    unless they carry a number (an invented figure is a claim however it is put); nor is a line ending in a
    colon, a label that states nothing (a prompt's scaffolding echoed: "What you remember is:"). The person's
    own name ("It's a special day, Sam.") names nobody in the film unless it is among the names.
    """
    text = MARKER.sub("", sentence).replace(UNVERIFIED_NOTE, "").strip().rstrip("\"'”’)*_ ")
    words = _WORD.findall(text)
    if not words or text.endswith(("?", ":")):
        return False
    if _NUMBER.search(text):
        return True
    opener = next((w for w in (fold(w).replace("’", "'") for w in words) if w not in _LEAD_IN), "")
    if opener in _PERSONAL_OPENER:
        return False
    theirs = {fold(w) for name in person for w in _WORD.findall(name)} - {fold(n) for n in names}
    capitalised = [w for w in words[1:] if w[:1].isupper() and w not in _NOT_NAMES and fold(w.strip("'’-")) not in theirs]
    if any(w.strip("'’-") in names for w in words) or capitalised:
        return True
    if idf is None:
        return False
    unseen = idf(UNSEEN)
    own = {t for w in theirs for t in content_terms(w)}
    return any(policy.claim_idf <= idf(t) < unseen for t in content_terms(text) if t not in own)


def uncited(
    answer: str, citations: Sequence[Citation], evidence: Sequence[Evidence], idf: Idf | None, policy: Policy = POLICY,
    person: Collection[str] = (),
) -> tuple[str, ...]:
    """Return the sentences of a written film reply that state something about the film with no verified marker.

    person: the name she remembers for the person, which the reply may call them by without claiming anything.
    """
    good = {c.n for c in citations if c.verified}
    # A name the essays use is a name even where the reply starts a sentence with it ("Theodore writes...");
    # the person's own name is one only when the essays given use it too.
    theirs = {fold(w) for name in person for w in _WORD.findall(name)}
    given = {n for e in evidence for n in names_in(e.passage.text, starts=True)}
    names = {n for n in names_in(answer) if fold(n) not in theirs} | given
    return tuple(
        _plain(sentence)
        for sentence in reply_sentences(answer)
        if not set(markers(sentence)) & good and is_claim(sentence, names, idf, policy, person)
    )


def mark_uncited(answer: str, claims: Sequence[str]) -> str:
    """Put a visible "(uncited)" after each uncited sentence (one already flagged as misquoted keeps its note)."""
    wanted = set(claims)
    note = UNCITED_NOTE.strip()
    sentences = reply_sentences(answer)
    out = []
    for i, sentence in enumerate(sentences):
        # A note already there (a model copying one from the history it saw) is not added twice; the splitter
        # may have put it at the start of the next sentence.
        noted = note in sentence or (i + 1 < len(sentences) and sentences[i + 1].lstrip().startswith(note))
        if _plain(sentence) in wanted and UNVERIFIED_NOTE not in sentence and not noted:
            body = sentence.rstrip()
            sentence = body + UNCITED_NOTE + sentence[len(body):]
        out.append(sentence)
    return "".join(out)


def unmarked(answer: str) -> str:
    """Return a reply without the "(uncited)" notes verify added, as a model should see its own earlier words."""
    return answer.replace(UNCITED_NOTE, "").replace(UNCITED_NOTE.strip(), "")


def _plain(sentence: str) -> str:
    """Return a sentence as listed among the uncited: no markers, no notes, single spaces."""
    return " ".join(REMOVABLE_MARKER.sub("", unmarked(sentence).replace(UNVERIFIED_NOTE, "")).split())
