"""Remember what a person tells Samantha about themselves, across sessions, apart from the essay evidence."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from companion.errors import CompanionError
from companion.sqlite_store import SQLiteStore, valid
from companion.memory_facts import SEEN, extract_facts, with_subject
from companion.text import printable

FILENAME = "memory.sqlite3"
SCHEMA_VERSION = 1  # written by _SCHEMA
KINDS = ("name", "seen", "feeling", "cares", "about")
SINGLE = frozenset({"name", "seen"})  # a person has one name and has either seen the film or not
MAX_PER_KIND = 50
SOURCE_CHARS = 300
HEADER = "What you remember about the person (from earlier conversations; never cite it):"
PROMPT_FACTS = 15
_HOUR, _DAY = 3600, 86400

_SCHEMA = """
CREATE TABLE facts (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, text TEXT NOT NULL,
    source TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE INDEX facts_by_kind ON facts (kind, id);
CREATE TABLE meta (key TEXT PRIMARY KEY, value REAL);
PRAGMA user_version = 1;
"""

@dataclass(frozen=True)
class Fact:
    """One thing remembered about the person, with the message it came from."""

    id: int
    kind: str
    text: str
    source: str
    created_at: float
    updated_at: float


class MemoryStoreError(CompanionError):
    """What Samantha remembers cannot be opened or used."""


class Memory(SQLiteStore):
    """Keep facts about the person in SQLite; safe to share between threads."""

    SCHEMA = _SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    ERROR = MemoryStoreError
    WHAT = "what Samantha remembers"
    KEEPS = "what Samantha remembers"

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._touched = False
        self._previous: float | None = None
        super().__init__(path)

    def remember(self, message: str) -> list[Fact]:
        """Store the facts a message tells about the person and return the ones that are new."""
        message = valid(message) or ""
        found = extract_facts(message)
        stored: list[Fact] = []
        if not found:
            return stored
        with self._transaction(write=True) as conn:
            for kind, text in found:
                now = self._clock()
                known = conn.execute("SELECT id, text FROM facts WHERE kind = ?", (kind,)).fetchall()
                same = [row[0] for row in known if row[1].casefold() == text.casefold()]
                if same:
                    conn.execute("UPDATE facts SET updated_at = ? WHERE id = ?", (now, same[0]))
                    continue
                if kind in SINGLE:
                    conn.execute("DELETE FROM facts WHERE kind = ?", (kind,))
                cursor = conn.execute(
                    "INSERT INTO facts (kind, text, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                    (kind, text, message[:SOURCE_CHARS], now, now),
                )
                stored.append(Fact(int(cursor.lastrowid), kind, text, message[:SOURCE_CHARS], now, now))
                conn.execute(
                    "DELETE FROM facts WHERE kind = ? AND id NOT IN"
                    " (SELECT id FROM facts WHERE kind = ? ORDER BY id DESC LIMIT ?)",
                    (kind, kind, MAX_PER_KIND),
                )
            kept = {row[0] for row in conn.execute("SELECT id FROM facts")}
        return [f for f in stored if f.id in kept]

    def facts(self) -> list[Fact]:
        """Return every remembered fact, oldest first."""
        with self._transaction() as conn:
            rows = conn.execute("SELECT id, kind, text, source, created_at, updated_at FROM facts ORDER BY id")
            return [Fact(*row) for row in rows]

    def forget(self, fact_id: int) -> bool:
        """Erase one fact from disk; return whether there was one."""
        with self._transaction(write=True) as conn:
            row = conn.execute("SELECT source FROM facts WHERE id = ?", (fact_id,)).fetchone()
            if row is not None:
                conn.execute("DELETE FROM facts WHERE id = ?", (fact_id,))
                # The message also taught other facts; keeping it there would keep what was just forgotten.
                conn.execute("UPDATE facts SET source = '' WHERE source = ?", (row[0],))
        self._scrub()
        return row is not None

    def forget_all(self) -> int:
        """Erase every fact and when they last talked; return how many facts there were."""
        with self._transaction(write=True) as conn:
            count = conn.execute("DELETE FROM facts").rowcount
            conn.execute("DELETE FROM meta")
        self._scrub()
        self._previous = None
        return count

    def touch(self) -> float | None:
        """Record now as the last time they talked; return when they talked before this session."""
        now = self._clock()
        with self._transaction(write=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'last_seen'").fetchone()
            conn.execute("INSERT INTO meta (key, value) VALUES ('last_seen', ?)"
                         " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (now,))
            if not self._touched:
                self._touched, self._previous = True, row[0] if row else None
            return self._previous

    def last_seen(self) -> float | None:
        """Return when they last talked before this session, or None the first time."""
        if self._touched:
            return self._previous
        with self._transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'last_seen'").fetchone()
        return row[0] if row else None

    def seen_film(self) -> bool | None:
        """Return whether they have seen Her, or None if they never said."""
        text = self._single("seen")
        return None if text is None else text == SEEN

    def name(self) -> str | None:
        """Return the name they gave, if any."""
        return self._single("name")


    def _single(self, kind: str) -> str | None:
        with self._transaction() as conn:
            row = conn.execute("SELECT text FROM facts WHERE kind = ? ORDER BY id DESC LIMIT 1", (kind,)).fetchone()
        return row[0] if row else None


def describe_gap(seconds: float | None) -> str | None:
    """Say warmly how long it has been since they last talked, or None if it was moments ago or never.

    Each phrase completes "It's been …" in prompts/welcome_back.md, so it names a stretch of time, not a moment.
    """
    if seconds is None or math.isnan(seconds) or seconds < 600:
        return None
    for limit, phrase in ((2 * _HOUR, "a little while"), (18 * _HOUR, "a few hours"), (48 * _HOUR, "a day or so"),
                          (7 * _DAY, "a few days")):
        if seconds < limit:
            return phrase
    if seconds < 60 * _DAY:
        weeks = round(seconds / (7 * _DAY))
        return "about a week" if weeks <= 1 else f"about {weeks} weeks"
    return "a couple of months" if seconds < 180 * _DAY else "a long time"


def summary_for_prompt(facts: list[Fact]) -> str:
    """Return a short block of remembered facts for a model prompt, or '' when there are none."""
    singles = {f.kind: f for f in facts if f.kind in SINGLE}
    others = [f for f in facts if f.kind not in SINGLE][-(PROMPT_FACTS - len(singles)):]
    chosen = [singles[k] for k in ("name", "seen") if k in singles] + others
    if not chosen:
        return ""
    return "\n".join([HEADER] + [f"- {printable(_sentence(f))}" for f in chosen])


def _sentence(fact: Fact) -> str:
    text = re.sub(r"[\r\n\t]+", " ", fact.text).strip()
    if fact.kind == "name":
        return f"Their name is {text}."
    text = with_subject(text, "They") or text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
