"""The routing set (eval/routing.jsonl): utterances labelled with the route they should take, and the router's score on them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from companion.engine.route import FILM_ROUTES, route
from companion.engine.router import Router
from companion.errors import CompanionError
from companion.evaluation import split_of
from companion.policy import POLICY, Policy
from companion.text import spelled_out
from companion.words import Words

ROUTES = ("film", "follow_up", "greeting", "thanks", "farewell", "feeling", "acknowledge", "about_her", "about_person")


@dataclass(frozen=True)
class Utterance:
    """One labelled message, with the question before it when it follows one."""

    text: str
    route: str
    history: str = ""

    @property
    def split(self) -> str:
        """Return dev or test, by the same rule as the evaluation questions."""
        return split_of(self.text)


@dataclass(frozen=True)
class RoutingScore:
    """How one split of the set was routed."""

    correct: int
    total: int
    film_away: int
    film_total: int
    # (expected, got, text) for every miss
    misses: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def accuracy(self) -> float:
        """Return the share routed as labelled."""
        return self.correct / self.total if self.total else 0.0


def _utterance(data: object) -> Utterance:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not data["text"].strip():
        raise ValueError('each line needs a non-empty "text"')
    if data.get("route") not in ROUTES:
        raise ValueError(f'"route" must be one of {", ".join(ROUTES)}')
    history = data.get("history", "")
    if not isinstance(history, str):
        raise ValueError('"history", when given, is the previous question as text')
    if data["route"] == "follow_up" and not history:
        raise ValueError('a follow_up needs the "history" it follows')
    return Utterance(text=data["text"], route=data["route"], history=history)


def load_routing_set(path: Path) -> list[Utterance]:
    """Read a routing set, or raise CompanionError naming the file, the line and what is wrong."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CompanionError(f"{path} cannot be read as UTF-8 text ({exc}).") from None
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(_utterance(json.loads(line)))
        except ValueError as exc:
            raise CompanionError(f"{path}, line {number}: {exc}.") from None
    return items


def score(items: Sequence[Utterance], router: Router, words: Words, policy: Policy = POLICY) -> RoutingScore:
    """Route every utterance as the engine would (with its history) and count what went where."""
    correct = film_away = film_total = 0
    misses = []
    for item in items:
        # The engine reads chat spellings ("wat") as their words before routing.
        got = route(spelled_out(item.text, words.chat_spellings), router, words, has_history=bool(item.history), policy=policy)
        correct += got == item.route
        if item.route in FILM_ROUTES:
            film_total += 1
            film_away += got not in FILM_ROUTES
        if got != item.route:
            misses.append((item.route, got, item.text))
    return RoutingScore(correct, len(items), film_away, film_total, tuple(misses))


def confusion(misses: Sequence[tuple[str, str, str]]) -> Counter[tuple[str, str]]:
    """Count misses by (expected, got)."""
    return Counter((expected, got) for expected, got, _ in misses)
