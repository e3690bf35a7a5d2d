"""Mentions: the names the essays give, and whether the essays a question names ever give one it asks about.

"What did the Her (2013) review think of Amy Adams?" asks of an essay that never names her: searched, its nearest
sentence ("Arguably, a film is never as resonant…") was offered as the closest it came. Told that the essay never
names her, and which essays do, the person hears something true, and nothing is cited for it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from companion.engine.credits import credited_people
from companion.engine.names import FULL_NAME
from companion.text import fold, stem
from companion.types import Passage

# Words as names are matched: letters and digits only, so "Johansson's" holds "johansson" and "co-worker" two words.
PLAIN = re.compile(r"[a-z0-9]+")
# A word the essays write in lower case somewhere is an everyday word ("take", "director", "production"), even
# where it opens a sentence or a title in capitals ("Take Amy Adams' conveniently named character…").
LOWER_CASE = re.compile(r"(?<![\w’'-])[a-z][a-z0-9]*")
# A name's last word asked alone ("johansson's voice") must be this long: shorter ones are too easily other words.
SURNAME_LETTERS = 4


def plain_words(text: str) -> list[str]:
    """Return a text's words, folded, split at apostrophes and hyphens."""
    return PLAIN.findall(fold(text))


@dataclass(frozen=True)
class Mentions:
    """The names the essays give ("Amy Adams", "Alan Watts") and the words of each essay, to tell who names which."""

    # Each name as its words, folded ("amy", "adams"), with the name as the essays write it.
    names: tuple[tuple[tuple[str, ...], str], ...]
    # Each essay's id with every word its passages (and the note on its writers) hold, folded.
    essays: tuple[tuple[str, frozenset[str]], ...]
    # Words the essays write in lower case: a name's last word among them is never asked for alone.
    everyday: frozenset[str]
    # The names the essays credit: actors, their parts and the film's makers ("joaquin phoenix", "spike jonze"), folded.
    credited: frozenset[str] = frozenset()

    @classmethod
    def of(cls, passages: Sequence[Passage]) -> Mentions:
        """Read the names the passages give and the words of each essay."""
        everyday = frozenset(w for p in passages for w in LOWER_CASE.findall(p.text))
        names: dict[tuple[str, ...], str] = {}
        for passage in passages:
            for match in FULL_NAME.finditer(passage.text):
                written = re.split(r"\s+", re.sub(r"['’]s?$", "", match.group(0)))
                # "Take Amy Adams", "Spike Jonze And": everyday words beside a name are not part of it.
                while written and fold(written[0]) in everyday:
                    written.pop(0)
                while written and fold(written[-1]) in everyday:
                    written.pop()
                words = tuple(w for part in written for w in plain_words(part))
                if len(written) > 1:
                    names.setdefault(words, " ".join(written))
        held: dict[str, set[str]] = {}
        for passage in passages:
            held.setdefault(passage.essay_id, set()).update(plain_words(f"{passage.title} {passage.author or ''} {passage.text}"))
        return cls(
            tuple(sorted(names.items())), tuple((e, frozenset(w)) for e, w in sorted(held.items())), everyday,
            credited_people(p.text for p in passages),
        )

    def asked(self, question: str, skip: Collection[str] = frozenset()) -> list[str]:
        """Return the names a question asks about, as the essays write them; a name with a word of skip (stemmed) is not.

        A name is asked in full ("amy adams"), or by its last word when that is no everyday word ("johansson's",
        "johanssons") and opens no other name: "Theodore" opens "Theodore Twombly", so a sentence opening "Observe
        Theodore…" gives no name "theodore" asks for. skip holds the words naming the essays: a writer's name says
        whose words, not what about.
        """
        said = set(plain_words(question))
        said |= {w[:-1] for w in said if w.endswith("s")}
        given = {words[0] for words, _ in self.names}

        def by_last(last: str) -> bool:
            return last in said and last not in self.everyday and last not in given and len(last) >= SURNAME_LETTERS

        return [
            written for words, written in self.names
            if not any(stem(w) in skip for w in words) and (set(words) <= said or by_last(words[-1]))
        ]

    def naming(self, name: str) -> list[str]:
        """Return the ids of the essays that give a name, by its last word, in the library's order.

        A surname alone names someone ("Joaquin Phoenix’s performance", later "Phoenix"): an essay holding it speaks
        of them.
        """
        last = plain_words(name)[-1]
        return [essay for essay, words in self.essays if last in words]


@dataclass(frozen=True)
class NeverNamed:
    """What essays a question names never name of all it asks about, and the essays that do name it."""

    name: str
    elsewhere: tuple[str, ...]


def never_named(mentions: Mentions, question: str, named: Sequence[str], skip: Collection[str]) -> NeverNamed | None:
    """Return what the essays a question names (by id) never name of all it asks about, or None if they name any."""
    if not named:
        return None
    asked = mentions.asked(question, skip)
    if not asked or any(set(mentions.naming(name)) & set(named) for name in asked):
        return None
    elsewhere = tuple(mentions.naming(asked[0]))
    return NeverNamed(asked[0], elsewhere) if elsewhere else None
