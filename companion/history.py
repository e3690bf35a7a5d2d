"""Keep conversations in a SQLite file so they survive restarts and can be exported."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.errors import CompanionError
from companion.sqlite_store import SQLiteStore, valid

if TYPE_CHECKING:
    from companion.types import Reply

FILENAME = "conversations.sqlite3"
SCHEMA_VERSION = 2  # written by _SCHEMA
TITLE_CHARS = 60
UNTITLED = "Untitled conversation"
_SCHEMA = """
CREATE TABLE conversations (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, created_at REAL NOT NULL,
    updated_at REAL NOT NULL);
CREATE INDEX conversations_by_update ON conversations (updated_at, id);
CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE, question TEXT NOT NULL,
    answer TEXT NOT NULL, grounded INTEGER NOT NULL, backend TEXT NOT NULL, model TEXT, complete INTEGER NOT NULL,
    error TEXT, created_at REAL NOT NULL, route TEXT, query TEXT);
CREATE INDEX turns_by_conversation ON turns (conversation_id, id);
CREATE TABLE citations (turn_id INTEGER NOT NULL REFERENCES turns (id) ON DELETE CASCADE, seq INTEGER NOT NULL,
    n INTEGER NOT NULL, passage_id TEXT NOT NULL, essay_id TEXT NOT NULL, title TEXT NOT NULL, author TEXT,
    text TEXT NOT NULL, verified INTEGER NOT NULL, PRIMARY KEY (turn_id, seq));
PRAGMA user_version = 2;
"""
# Version 2 keeps how each reply was routed and what it searched, so a reopened conversation's follow-ups lean
# on what its earlier ones asked.
_MIGRATIONS = {1: "ALTER TABLE turns ADD COLUMN route TEXT; ALTER TABLE turns ADD COLUMN query TEXT;"}
_CONVERSATION_SQL = "SELECT c.*, (SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id) FROM conversations c"
_NEWEST_FIRST = " ORDER BY c.updated_at DESC, c.id DESC"


class HistoryError(CompanionError):
    """The conversation history cannot be opened or used."""


@dataclass(frozen=True)
class StoredCitation:
    """A saved citation: the marker number and a copy of the passage it stood for."""

    n: int
    passage_id: str
    essay_id: str
    title: str
    author: str | None
    text: str
    verified: bool

    @property
    def byline(self) -> str:
        """Return the essay's title with its author when there is one."""
        return f"{self.title} — {self.author}" if self.author else self.title


@dataclass(frozen=True)
class Turn:
    """A saved question and reply."""

    id: int
    conversation_id: int
    question: str
    answer: str
    grounded: bool
    citations: tuple[StoredCitation, ...]
    backend: str
    model: str | None
    complete: bool
    error: str | None
    created_at: float
    # How it was answered and what the essays were searched with ("" for the question itself); a turn saved
    # before these were kept reads as a film question.
    route: str = "film"
    query: str = ""


# The columns a saved turn and citation are read back from, by the fields' names: id first.
TURN_COLUMNS = (
    "id", "conversation_id", "question", "answer", "grounded", "backend", "model", "complete", "error", "created_at",
    "route", "query",
)
CITATION_COLUMNS = ("n", "passage_id", "essay_id", "title", "author", "text", "verified")


def _turn(row: dict, citations: tuple[StoredCitation, ...]) -> Turn:
    """Build a saved turn from its row; a turn saved before routes were kept reads as a film question."""
    return Turn(**{
        **row, "grounded": bool(row["grounded"]), "complete": bool(row["complete"]), "citations": citations,
        "route": row["route"] or "film", "query": row["query"] or "",
    })


@dataclass(frozen=True)
class Conversation:
    """A saved conversation, without its turns."""

    id: int
    title: str
    created_at: float
    updated_at: float
    turn_count: int


class History(SQLiteStore):
    """Save and load conversations; safe to share between threads."""

    SCHEMA = _SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    MIGRATIONS = _MIGRATIONS
    ERROR = HistoryError
    WHAT = "the conversation history"
    KEEPS = "conversations"
    FOREIGN_KEYS = True

    def new_conversation(self, title: str | None = None) -> int:
        """Start a conversation and return its id."""
        with self._transaction(write=True) as conn:
            now = time.time()
            cursor = conn.execute(
                "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)",
                (valid(title) if title and title.strip() else None, now, _tick(conn, now)),
            )
            return int(cursor.lastrowid)

    def add_turn(self, conversation_id: int, reply: Reply, replace: int | None = None) -> Turn:
        """Save a reply and its citations as the conversation's next turn, or over turn ``replace``.

        Replacing lets a streamed reply be saved as it grows, so a killed process keeps what arrived.
        """
        question, answer, error = valid(reply.question), valid(reply.answer), valid(reply.error)
        citations = tuple(
            StoredCitation(c.n, c.passage.id, c.passage.essay_id, valid(c.passage.title), valid(c.passage.author),
                           valid(c.passage.text), bool(c.verified))
            for c in reply.citations
        )
        with self._transaction(write=True) as conn:
            row = conn.execute("SELECT title FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
            if row is None:
                raise _missing(conversation_id)
            now = _tick(conn, time.time())
            route, query = valid(reply.route), valid(reply.query)
            values = (question, answer, reply.grounded, reply.backend, reply.model, reply.complete, error, route, query)
            if replace is None:
                cursor = conn.execute(
                    "INSERT INTO turns (conversation_id, question, answer, grounded, backend, model, complete, error,"
                    " route, query, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (conversation_id, *values, now),
                )
                turn_id = int(cursor.lastrowid)
            else:
                turn_id = replace
                conn.execute(
                    "UPDATE turns SET question = ?, answer = ?, grounded = ?, backend = ?, model = ?, complete = ?,"
                    " error = ?, route = ?, query = ? WHERE id = ? AND conversation_id = ?",
                    (*values, turn_id, conversation_id),
                )
                conn.execute("DELETE FROM citations WHERE turn_id = ?", (turn_id,))
            conn.executemany(
                "INSERT INTO citations (turn_id, seq, n, passage_id, essay_id, title, author, text, verified)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(turn_id, seq, c.n, c.passage_id, c.essay_id, c.title, c.author, c.text, c.verified)
                 for seq, c in enumerate(citations)],
            )
            conn.execute(
                "UPDATE conversations SET updated_at = ?, title = ? WHERE id = ?",
                (now, row[0] or _title_from(question), conversation_id),
            )
        return Turn(turn_id, conversation_id, question, answer, bool(reply.grounded), citations, reply.backend,
                    reply.model, bool(reply.complete), error, now, route, query)

    def conversations(self) -> list[Conversation]:
        """Return every conversation, most recently active first."""
        with self._transaction() as conn:
            return [_conversation(row) for row in conn.execute(_CONVERSATION_SQL + _NEWEST_FIRST)]

    def conversation(self, conversation_id: int) -> Conversation:
        """Return one conversation, or explain how to find the right id."""
        with self._transaction() as conn:
            row = conn.execute(_CONVERSATION_SQL + " WHERE c.id = ?", (conversation_id,)).fetchone()
        if row is None:
            raise _missing(conversation_id)
        return _conversation(row)

    def latest(self) -> Conversation | None:
        """Return the most recently active conversation, if any."""
        with self._transaction() as conn:
            row = conn.execute(_CONVERSATION_SQL + _NEWEST_FIRST + " LIMIT 1").fetchone()
        return _conversation(row) if row else None

    def turns(self, conversation_id: int) -> list[Turn]:
        """Return a conversation's turns in the order they were said."""
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone() is None:
                raise _missing(conversation_id)
            rows = conn.execute(
                f"SELECT {', '.join(TURN_COLUMNS)} FROM turns WHERE conversation_id = ? ORDER BY id", (conversation_id,)
            ).fetchall()
            cited: dict[int, list[StoredCitation]] = {}
            for turn_id, *fields in conn.execute(
                f"SELECT c.turn_id, {', '.join('c.' + name for name in CITATION_COLUMNS)}"
                " FROM citations c JOIN turns t ON t.id = c.turn_id WHERE t.conversation_id = ?"
                " ORDER BY c.turn_id, c.seq",
                (conversation_id,),
            ):
                row = dict(zip(CITATION_COLUMNS, fields, strict=True))
                cited.setdefault(turn_id, []).append(StoredCitation(**{**row, "verified": bool(row["verified"])}))
        saved = [dict(zip(TURN_COLUMNS, r, strict=True)) for r in rows]
        return [_turn(row, tuple(cited.get(row["id"], ()))) for row in saved]

    def delete(self, conversation_id: int) -> None:
        """Remove a conversation with all its turns and citations."""
        with self._transaction(write=True) as conn:
            if conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount == 0:
                raise _missing(conversation_id)
        self._scrub()


def _tick(conn: sqlite3.Connection, now: float) -> float:
    """Return a time later than every saved one so 'newest first' holds even if the clock steps back."""
    last = conn.execute("SELECT MAX(updated_at) FROM conversations").fetchone()[0]
    return now if last is None or now > last else last + 1e-6


def _title_from(question: str) -> str | None:
    """Return the first non-blank line of a question, shortened to fit a list."""
    for line in question.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"
    return None


def _conversation(row: tuple) -> Conversation:
    return Conversation(row[0], row[1] or UNTITLED, row[2], row[3], row[4])


def _missing(conversation_id: int) -> HistoryError:
    return HistoryError(f"no conversation {conversation_id}: `companion export --list` shows them")
