"""A small SQLite file of our own: WAL, one lock, a schema version, and corrupt files moved aside."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from companion.errors import CompanionError

MAGIC = b"SQLite format 3\x00"
# SQLITE_CORRUPT and SQLITE_NOTADB: the only errors that justify moving a file aside.
CORRUPT_CODES = {11, 26}


class Unreadable(sqlite3.DatabaseError):
    """The file is a database, but not one of ours."""


def is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    """Tell a damaged or foreign file from a locked or unwritable one."""
    if isinstance(exc, Unreadable):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in CORRUPT_CODES
    return "not a database" in str(exc) or "malformed" in str(exc)


def valid(text: str | None) -> str | None:
    """Replace lone surrogates, the only strings SQLite cannot store as text."""
    if text is None:
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


class SQLiteStore:
    """Open (or repair) one SQLite file; subclasses give the schema, their error and their words."""

    SCHEMA = ""
    SCHEMA_VERSION = 1
    # SQL taking a file from each earlier schema version to the next: MIGRATIONS[1] takes version 1 to 2.
    MIGRATIONS: dict[int, str] = {}
    ERROR: type[CompanionError] = CompanionError
    WHAT = "the store"  # "the conversation history"
    KEEPS = "data"  # "Cannot keep conversations in ..."
    FOREIGN_KEYS = False

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.notice: str | None = None
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._started = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # SQLite takes an empty file for a new database; a person who had one deserves to hear it is gone.
            was_empty = self.path.is_file() and self.path.stat().st_size == 0
        except OSError as exc:
            raise self._unwritable(exc.strerror or str(exc)) from exc
        try:
            self._conn = self._open()
            if was_empty and self._started:
                self.notice = (
                    f"{self.path.name} was empty (0 bytes), so {self.WHAT} starts afresh; anything saved in it "
                    "before is gone (restore the file from a backup if you have one)"
                )
        except sqlite3.DatabaseError as exc:
            if not is_corrupt(exc):
                raise self._unwritable(str(exc)) from exc
            moved = self._move_aside()
            self.notice = f"{self.path.name} was unreadable; it was moved to {moved} and a new one started"
            try:
                self._conn = self._open()
            except sqlite3.Error as again:
                raise self._unwritable(str(again)) from again

    def close(self) -> None:
        """Close the database; later calls raise the store's error."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _scrub(self) -> None:
        """Checkpoint the write-ahead log, so deleted text does not linger in it."""
        with self._lock, suppress(sqlite3.Error):
            if self._conn is not None:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextmanager
    def _transaction(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise self.ERROR(f"{self.WHAT} is closed")
            conn = self._conn
            try:
                with conn:
                    # IMMEDIATE takes the write lock first, so another process cannot write between our read and write.
                    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                    yield conn
            except sqlite3.Error as exc:
                raise self.ERROR(f"cannot use {self.WHAT} at {self.path}: {exc}") from exc

    def _open(self) -> sqlite3.Connection:
        # SQLite would adopt and then delete a -wal beside a non-database, so garbage is caught before connecting.
        try:
            if self.path.is_file() and self.path.stat().st_size:
                with self.path.open("rb") as file:
                    if file.read(len(MAGIC)) != MAGIC:
                        raise Unreadable("not a SQLite file")
        except OSError as exc:
            raise self._unwritable(exc.strerror or str(exc)) from exc
        conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False)
        try:
            if self.FOREIGN_KEYS:
                conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            if conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                raise Unreadable("the integrity check failed")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > self.SCHEMA_VERSION:
                raise self.ERROR(
                    f"{self.path} was written by a newer companion (schema {version}); upgrade, "
                    "or pass --data-dir / set COMPANION_DATA_DIR to use another folder"
                )
            if version == 0:
                if conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
                    raise Unreadable("another program's database")
                with conn:
                    conn.executescript(f"BEGIN; {self.SCHEMA} COMMIT;")
                self._started = True
            elif version < self.SCHEMA_VERSION:
                # One transaction for every step: a file is either as it was or wholly upgraded.
                steps = " ".join(self.MIGRATIONS[v] for v in range(version, self.SCHEMA_VERSION))
                with conn:
                    conn.executescript(f"BEGIN; {steps} PRAGMA user_version = {self.SCHEMA_VERSION}; COMMIT;")
            return conn
        except BaseException:
            conn.close()
            raise

    def _move_aside(self) -> Path:
        """Rename an unreadable file (and its -wal/-shm) out of the way; never delete it."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        extra = 1
        while target.exists():
            extra += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{extra}")
        try:
            self.path.rename(target)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    side.rename(target.with_name(target.name + suffix))
        except OSError as exc:
            raise self._unwritable(exc.strerror or str(exc)) from exc
        return target

    def _unwritable(self, reason: str) -> CompanionError:
        return self.ERROR(
            f"Cannot keep {self.KEEPS} in {self.path.parent} ({reason}): pass --data-dir or set "
            "COMPANION_DATA_DIR to a folder you can write to"
        )
