"""Misspelt: a question's words that look mistyped, each with the essays' word it was likely meant as.

A question the essays cannot answer may only have been mistyped ("whta did the critcs thnk of the endign"):
saying the essays are quiet on it would send the person away. A word is taken as mistyped when it is no
English word in any form (no whole word of MiniLM's vocabulary, which ships with the embedding model's package,
shares its stem), no passage uses it, and an English word the passages do use is one slip away: a letter
added, two swapped or a doubled one dropped, past the first letter. Such a word is read as the essays' word
before anything else reads the question, and the reply says so ("I read ‘critcs’ as ‘critics’"), as a slip
may still have meant another word.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache

from companion.errors import ModelError
from companion.retrieval.embedder import packaged_model_dir
from companion.retrieval.lexical import UNSEEN, unseen
from companion.retrieval.spelling import WORD, Idf
from companion.text import STOPWORDS, content_terms, stem

LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Shorter words are too often chat ("abt", "idk") or a word of their own one edit from many others.
SHORTEST = 4
# What a contraction typed without its apostrophe ends in after a common word: "whos", "dont", "cant", "youre".
CONTRACTED = ("s", "t", "nt", "re", "ve", "ll", "d", "m")
# How many words neither English nor the essays' make a question read as another language, at half its words.
FOREIGN_WORDS = 2


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Return the whole words of MiniLM's vocabulary, or nothing when its package cannot be read."""
    try:
        vocabulary = json.loads((packaged_model_dir() / "tokenizer.json").read_text("utf-8"))["model"]["vocab"]
    except (ModelError, OSError, ValueError, KeyError, TypeError):
        return frozenset()
    return frozenset(word for word in vocabulary if word.isalpha() and word.isascii())


@lru_cache(maxsize=2)
def _stems(english: frozenset[str]) -> frozenset[str]:
    # The vocabulary holds a word in some of its forms only ("baked", "globe"): its stems count the others too.
    return frozenset(stem(word) for word in english)


def one_edit(word: str) -> set[str]:
    """Return every string one typing slip from a word past its first letter: a letter added, swapped or doubled.

    A letter changed is left out: it mostly turns one real word into another ("bake" and "take", "faking" and
    "making"), where a slip of the other kinds rarely does; so is the first letter, which people seldom miss
    ("oses" is not "loses"). A letter is taken away only where it was doubled ("critiics"): taking away any
    other makes words of non-words too freely ("voicd" is not "void").
    """
    splits = [(word[:i], word[i:]) for i in range(1, len(word) + 1)]
    dropped = {a + b[1:] for a, b in splits if b and a[-1] == b[0]}
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    added = {a + c + b for a, b in splits for c in LETTERS}
    return (dropped | swapped | added) - {word}


def misspelt(question: str, idf: Idf | None, english: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """Return (word, meant) for each word of a question that looks mistyped, in the order written."""
    if idf is None or not english:
        return ()
    ceiling = idf(UNSEEN)

    def weight(word: str) -> float | None:
        """Return how rare the passages find a word (0 for a common English one), or None if none uses it."""
        if word in STOPWORDS:
            return 0.0
        terms = content_terms(word)
        rarity = idf(terms[0]) if len(terms) == 1 else ceiling
        return rarity if rarity < ceiling else None

    found: list[tuple[str, str]] = []
    for at, match in enumerate(WORD.finditer(question)):
        written = match.group()
        word = written.lower()
        if len(word) < SHORTEST or not word.isascii() or not word.isalpha() or weight(word) is not None:
            continue
        if word in english or stem(word) in _stems(english) or at and written[0].isupper():
            # An English word in another form ("bake", "globes"), or a name or title ("Oscars", "OSes").
            continue
        if any(word.endswith(end) and word[: -len(end)] in STOPWORDS for end in CONTRACTED):
            continue
        known = [
            (w, -len(other), other) for other in one_edit(word)
            if (other in english or other in STOPWORDS) and (w := weight(other)) is not None
        ]
        if known:
            # The commonest of the words it could be; of equals the longer, as a letter is more often dropped than
            # added ("calld" is "called" before "call"), then the first alphabetically, so the answer is stable.
            found.append((written, min(known)[2]))
    return tuple(dict.fromkeys(found))


def respelt(text: str, typos: tuple[tuple[str, str], ...]) -> str:
    """Return the text with each mistyped word written as the word it was taken for."""
    meant = {written: word for written, word in typos}
    return WORD.sub(lambda m: meant.get(m.group(), m.group()), text)


def foreign(question: str, idf: Idf | None, english: frozenset[str], typos: tuple[tuple[str, str], ...] = ()) -> bool:
    """Tell whether a question is mostly not in English: the essays' language and the only one she reads.

    Most of its letters outside the Latin alphabet, or at least FOREIGN_WORDS of its words of four letters or more
    (one more with no accented letter), and half of them, neither English in any form nor used by the essays ("qué
    piensan los críticos del final?").
    A word that looks mistyped (typos, as misspelt found them) counts only beside accented letters: "filme" and
    "ende" are no English slips. Without word weights or a vocabulary nothing can be told (False).
    """
    if idf is None or not english:
        return False
    letters = [c for c in question if c.isalpha()]
    if letters and sum(not _latin(c) for c in letters) * 2 > len(letters):
        return True
    slips = {written for written, _ in typos} if question.isascii() else set()
    said = [w for w in WORD.findall(question) if len(w) >= SHORTEST and w.isalpha()]

    def unknown(written: str) -> bool:
        word = written.lower()
        if word in english or word in STOPWORDS or written in slips or (word.isascii() and stem(word) in _stems(english)):
            return False
        terms = content_terms(word)
        return not terms or all(unseen(t, idf) for t in terms)

    strange = sum(unknown(w) for w in said)
    # Without an accent, two strange words in three are as often English the vocabulary lacks ("bake sourdough").
    enough = FOREIGN_WORDS if not question.isascii() else FOREIGN_WORDS + 1
    return strange >= enough and strange * 2 >= len(said)


def _latin(letter: str) -> bool:
    return unicodedata.name(letter, "").startswith("LATIN")
