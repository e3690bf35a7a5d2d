"""Conversations saved in SQLite survive restarts, hostile text and corrupt files; exports are literal Markdown."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

import pytest

from companion.config import REPO_ROOT
from companion.engine import Reply
from companion.errors import CompanionError
from companion.export import export_markdown, suggested_filename
from companion.grounding import Citation
from companion.history import FILENAME, Conversation, History, HistoryError, StoredCitation
from companion.passages import Passage

HOSTILE = "[bold]x[/ \x1b[31mred\x1b[0m \x00nul שלום עולם \u202eevil 😀👩‍👩‍👧 \r\n\ttab " + "ü" * 100_000


def passage(n: int = 1, text: str = "Samantha is a voice that learns to love.", author: str | None = "Ann Critic"):
    return Passage(
        id=f"essay-{n}:{n}", essay_id=f"essay-{n}", n=n, title=f"Essay {n}", author=author, text=text,
        start=0, end=len(text),
    )


def reply(question: str = "What about the ending?", answer: str = "It is tender [1].", **changes) -> Reply:
    fields = dict(
        question=question, answer=answer, grounded=True, citations=(Citation(1, passage(), True),),
        backend="extractive", model=None,
    )
    fields.update(changes)
    return Reply(**fields)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / FILENAME


@pytest.fixture
def history(db_path):
    with History(db_path) as opened:
        yield opened


def test_turns_survive_reopening(db_path):
    with History(db_path) as history:
        cid = history.new_conversation()
        first = history.add_turn(cid, reply())
        history.add_turn(cid, reply("And the music?", "Arcade Fire [1] and Owen Pallett [2].", citations=(
            Citation(1, passage(1), True), Citation(2, passage(2, author=None), False),
        ), backend="openai", model="gpt-test"))
    assert db_path.is_file()
    with History(db_path) as again:
        turns = again.turns(cid)
        assert [t.question for t in turns] == ["What about the ending?", "And the music?"]
        assert turns[0] == first
        assert turns[1].citations == (
            StoredCitation(1, "essay-1:1", "essay-1", "Essay 1", "Ann Critic", passage(1).text, True),
            StoredCitation(2, "essay-2:2", "essay-2", "Essay 2", None, passage(2).text, False),
        )
        assert turns[1].citations[0].byline == "Essay 1 — Ann Critic" and turns[1].citations[1].byline == "Essay 2"
        second = turns[1]
        assert (second.backend, second.model, second.grounded, second.complete) == ("openai", "gpt-test", True, True)
        assert again.conversation(cid).turn_count == 2
        assert again.notice is None


def test_a_conversation_written_by_another_process_can_be_read(db_path):
    script = (
        "import sys; from pathlib import Path; from companion.history import History\n"
        "from tests.test_history import reply\n"
        "with History(Path(sys.argv[1])) as h:\n"
        "    cid = h.new_conversation()\n"
        "    h.add_turn(cid, reply('From elsewhere?', 'Yes [1].'))\n"
        "    print(cid)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(db_path)], capture_output=True, text=True, timeout=60, cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr
    with History(db_path) as history:
        cid = int(done.stdout.strip())
        assert [t.answer for t in history.turns(cid)] == ["Yes [1]."]
        assert history.latest().title == "From elsewhere?"


def test_title_comes_from_the_first_question(history):
    cid = history.new_conversation()
    assert history.conversation(cid).title == "Untitled conversation"
    history.add_turn(cid, reply("\n  Why   does Theodore\twrite letters?\nSecond line"))
    history.add_turn(cid, reply("Something else entirely"))
    assert history.conversation(cid).title == "Why does Theodore write letters?"
    long = history.new_conversation()
    history.add_turn(long, reply("word " * 40))
    title = history.conversation(long).title
    assert len(title) <= 60 and title.endswith("…")
    named = history.new_conversation("My own title")
    history.add_turn(named, reply())
    assert history.conversation(named).title == "My own title"


def test_conversations_are_listed_by_latest_activity(history):
    a, b, c = (history.new_conversation(name) for name in "abc")
    assert [x.id for x in history.conversations()] == [c, b, a]
    history.add_turn(a, reply())
    assert [x.id for x in history.conversations()] == [a, c, b]
    assert history.latest().id == a
    assert all(isinstance(x, Conversation) for x in history.conversations())


def test_empty_history_has_no_latest(history):
    assert history.latest() is None and history.conversations() == []


def test_missing_conversation_explains_how_to_find_one(history):
    with pytest.raises(HistoryError, match=r"no conversation 42: `companion export --list` shows them"):
        history.conversation(42)
    assert issubclass(HistoryError, CompanionError)
    for call in (lambda: history.turns(42), lambda: history.add_turn(42, reply()), lambda: history.delete(42)):
        with pytest.raises(HistoryError, match="no conversation 42"):
            call()


def test_delete_removes_every_row(history, db_path):
    keep, gone = history.new_conversation(), history.new_conversation()
    history.add_turn(keep, reply())
    history.add_turn(gone, reply("secret question", "secret answer [1]"))
    history.add_turn(gone, reply())
    history.delete(gone)
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("SELECT COUNT(*) FROM conversations WHERE id = ?", (gone,)).fetchone() == (0,)
        assert raw.execute("SELECT COUNT(*) FROM turns WHERE conversation_id = ?", (gone,)).fetchone() == (0,)
        assert raw.execute("SELECT COUNT(*) FROM citations").fetchone() == (1,)
        assert raw.execute("SELECT COUNT(*) FROM turns WHERE question LIKE 'secret%'").fetchone() == (0,)
    finally:
        raw.close()
    assert [c.id for c in history.conversations()] == [keep]
    with pytest.raises(HistoryError):
        history.conversation(gone)


def test_a_partial_reply_is_saved_with_its_error(history):
    cid = history.new_conversation()
    history.add_turn(cid, reply(answer="It begins [1] and then", complete=False, error="the model server went away"))
    turn = history.turns(cid)[0]
    assert not turn.complete and turn.error == "the model server went away" and turn.answer == "It begins [1] and then"


def test_hostile_text_round_trips_exactly(history, db_path):
    cid = history.new_conversation(HOSTILE[:80])
    hostile_passage = passage(text=HOSTILE, author="\x1b[2J[link]")
    hostile = reply(HOSTILE, HOSTILE, citations=(Citation(7, hostile_passage, True),), error=HOSTILE)
    saved = history.add_turn(cid, hostile)
    history.close()
    with History(db_path) as again:
        (turn,) = again.turns(cid)
        assert turn == saved
        assert turn.question == HOSTILE and turn.answer == HOSTILE and turn.error == HOSTILE
        assert turn.citations[0].text == HOSTILE and turn.citations[0].author == "\x1b[2J[link]"
        assert again.conversation(cid).title == HOSTILE[:80]


def test_lone_surrogates_do_not_break_saving(history):
    cid = history.new_conversation()
    turn = history.add_turn(cid, reply("bad \udcff byte"))
    assert history.turns(cid)[0].question == turn.question == "bad ? byte"


def test_a_corrupt_file_is_moved_aside_and_replaced(db_path):
    db_path.parent.mkdir(parents=True)
    garbage = b"this is not sqlite at all\x00" * 200
    db_path.write_bytes(garbage)
    (db_path.parent / (FILENAME + "-wal")).write_bytes(b"junk wal")
    with History(db_path) as history:
        moved = sorted(db_path.parent.glob(FILENAME + ".corrupt-*"))
        main = [p for p in moved if not p.name.endswith(("-wal", "-shm"))]
        assert len(main) == 1 and main[0].read_bytes() == garbage
        assert (main[0].parent / (main[0].name + "-wal")).read_bytes() == b"junk wal"
        assert history.notice == f"{FILENAME} was unreadable; it was moved to {main[0]} and a new one started"
        cid = history.new_conversation()
        history.add_turn(cid, reply())
        assert len(history.turns(cid)) == 1
    with History(db_path) as again:
        assert again.notice is None and len(again.conversations()) == 1


def test_damaged_pages_are_found_on_open(db_path):
    with History(db_path) as history:
        cid = history.new_conversation()
        for i in range(50):
            history.add_turn(cid, reply(f"question {i} " + "x" * 2000))
    data = bytearray(db_path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page * 2 : page * 6] = b"\xff" * (page * 4)
    db_path.write_bytes(bytes(data))
    with History(db_path) as history:
        assert history.notice and "moved to" in history.notice
        assert history.conversations() == []
    assert len(list(db_path.parent.glob(FILENAME + ".corrupt-*"))) == 1


def test_a_foreign_database_is_moved_aside(db_path):
    db_path.parent.mkdir(parents=True)
    other = sqlite3.connect(db_path)
    other.execute("CREATE TABLE conversations (something TEXT)")
    other.commit()
    other.close()
    with History(db_path) as history:
        assert history.notice and "moved to" in history.notice
        history.add_turn(history.new_conversation(), reply())


def test_an_empty_file_is_said_once_and_then_used(db_path):
    # A 0-byte file is a valid new database to SQLite; the person who had conversations in it must hear so.
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")
    with History(db_path) as history:
        assert history.notice == (
            f"{FILENAME} was empty (0 bytes), so the conversation history starts afresh; anything saved in it "
            "before is gone (restore the file from a backup if you have one)"
        )
        history.add_turn(history.new_conversation(), reply())
    with History(db_path) as again:
        assert again.notice is None and len(again.conversations()) == 1
    assert not list(db_path.parent.glob(FILENAME + ".corrupt-*"))


def test_an_unusable_directory_says_how_to_fix_it(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    with pytest.raises(HistoryError, match="--data-dir or set COMPANION_DATA_DIR"):
        History(blocker / "data" / FILENAME)


def test_pragmas_and_schema_version(history, db_path):
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("PRAGMA user_version").fetchone() == (2,)
    finally:
        raw.close()
    assert history._conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert history._conn.execute("PRAGMA synchronous").fetchone() == (1,)


# The schema as version 1 wrote it, before turns kept their route and query.
VERSION_1 = """
CREATE TABLE conversations (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, created_at REAL NOT NULL,
    updated_at REAL NOT NULL);
CREATE INDEX conversations_by_update ON conversations (updated_at, id);
CREATE TABLE turns (id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE, question TEXT NOT NULL,
    answer TEXT NOT NULL, grounded INTEGER NOT NULL, backend TEXT NOT NULL, model TEXT, complete INTEGER NOT NULL,
    error TEXT, created_at REAL NOT NULL);
CREATE INDEX turns_by_conversation ON turns (conversation_id, id);
CREATE TABLE citations (turn_id INTEGER NOT NULL REFERENCES turns (id) ON DELETE CASCADE, seq INTEGER NOT NULL,
    n INTEGER NOT NULL, passage_id TEXT NOT NULL, essay_id TEXT NOT NULL, title TEXT NOT NULL, author TEXT,
    text TEXT NOT NULL, verified INTEGER NOT NULL, PRIMARY KEY (turn_id, seq));
PRAGMA user_version = 1;
"""


def test_a_follow_up_keeps_its_route_and_query(history):
    cid = history.new_conversation()
    saved = history.add_turn(cid, reply("and anise?", route="follow_up", query="what did anise think of the film?"))
    assert (saved.route, saved.query) == ("follow_up", "what did anise think of the film?")
    assert history.turns(cid) == [saved]
    partial = history.add_turn(cid, reply("keep going", complete=False, error="stopped", route="follow_up",
                                          query="what did anise think of the film?"))
    history.add_turn(cid, reply("keep going", "More [1].", route="follow_up", query="what did anise think of the film?"),
                     replace=partial.id)
    assert [(t.route, t.query) for t in history.turns(cid)][-1] == ("follow_up", "what did anise think of the film?")


def test_a_file_from_the_first_schema_is_upgraded_and_keeps_its_turns(db_path):
    db_path.parent.mkdir(parents=True)
    raw = sqlite3.connect(db_path)
    raw.executescript(VERSION_1)
    raw.execute("INSERT INTO conversations (title, created_at, updated_at) VALUES ('Old chat', 1.0, 1.0)")
    raw.execute("INSERT INTO turns (conversation_id, question, answer, grounded, backend, model, complete, error,"
                " created_at) VALUES (1, 'who plays amy?', 'Amy Adams [1].', 1, 'extractive', NULL, 1, NULL, 1.0)")
    raw.commit()
    raw.close()
    with History(db_path) as history:
        (old,) = history.turns(1)
        assert (old.question, old.answer, old.route, old.query) == ("who plays amy?", "Amy Adams [1].", "film", "")
        added = history.add_turn(1, reply("and theodore?", route="follow_up", query="who plays theodore?"))
        assert history.turns(1)[-1] == added and history.notice is None
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone() == (2,)
    finally:
        raw.close()


def test_closed_history_refuses_politely(db_path):
    history = History(db_path)
    history.close()
    history.close()
    with pytest.raises(HistoryError, match="closed"):
        history.conversations()


def test_threads_can_share_one_history(history):
    cid = history.new_conversation()
    errors: list[BaseException] = []

    def add(k: int) -> None:
        try:
            for i in range(10):
                history.add_turn(cid, reply(f"q{k}-{i}"))
                history.conversations()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=add, args=(k,)) for k in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == [] and len(history.turns(cid)) == 40


def export_of(history: History, cid: int) -> str:
    return export_markdown(history.conversation(cid), history.turns(cid))


def test_export_has_unique_footnotes_per_turn(history):
    cid = history.new_conversation()
    history.add_turn(cid, reply("First?", "One [1], two [2].", citations=(
        Citation(1, passage(1), True), Citation(2, passage(2, author=None), False),
    ), model="m-1"))
    history.add_turn(cid, reply("Second?", "Again [1]; and [9] has no source."))
    history.add_turn(cid, reply("Unsourced?", "Nothing to cite.", grounded=False, citations=()))
    text = export_of(history, cid)
    assert text.startswith("# First?\n\n*Started ")
    assert "extractive (m-1), extractive" in text.splitlines()[2]
    assert "**You:** First?" in text
    assert "**Samantha:** One [^t1-1], two [^t1-2]." in text
    assert "**Samantha:** Again [^t2-1]; and [9] has no source." in text
    assert "**Samantha:** Nothing to cite." in text
    assert '[^t1-1]: *Essay 1*, Ann Critic (essay-1:1): "Samantha is a voice that learns to love."\n' in text
    assert '[^t1-2]: *Essay 2* (essay-2:2): "Samantha is a voice that learns to love." (quote not verified)' in text
    assert "[^t2-1]: " in text and "[^t3-" not in text
    definitions = [line.split(":")[0] for line in text.splitlines() if line.startswith("[^")]
    assert definitions == ["[^t1-1]", "[^t1-2]", "[^t2-1]"]
    assert text.rstrip().endswith("(essay-1:1): \"Samantha is a voice that learns to love.\"")


def test_export_shows_the_question_literally(history):
    cid = history.new_conversation()
    question = "*not bold* [1] _x_ `code` <b>hi</b> # no\n- not a list\n+ nor this\n12. nor this\n\n    not code"
    history.add_turn(cid, reply(question, "Answer with *real* emphasis [1]."))
    text = export_of(history, cid)
    assert (
        "**You:** \\*not bold\\* \\[1\\] \\_x\\_ \\`code\\` \\<b\\>hi\\</b\\> \\# no\\\n"
        "\\- not a list\\\n\\+ nor this\\\n12\\. nor this\\\n\\\n    not code\n\n"
    ) in text
    assert "**Samantha:** Answer with *real* emphasis [^t1-1]." in text
    assert "# \\*not bold\\* \\[1\\]" in text.splitlines()[0]


def test_export_marks_cut_short_replies_and_shows_control_characters(history):
    cid = history.new_conversation()
    history.add_turn(cid, reply("red \x1b[31m?", "Partial \x1b[2J answer [1]", complete=False, error="timed out"))
    history.add_turn(cid, reply(answer="Stopped", complete=False, error=None))
    text = export_of(history, cid)
    assert "*(reply cut short: timed out)*" in text and "*(reply cut short: stopped)*" in text
    assert "\x1b" not in text
    assert "**You:** red \\x1b\\[31m?" in text
    assert "**Samantha:** Partial \\x1b[2J answer [^t1-1]" in text


def test_export_truncates_long_quotes():
    long = "word \n\n " * 200
    stored = StoredCitation(1, "p", "e", "T*", "A_", long, True)
    from companion.history import Turn

    turn = Turn(1, 1, "q", "a [1]", True, (stored,), "extractive", None, True, None, 0.0)
    text = export_markdown(Conversation(1, "T", 0.0, 0.0, 1), [turn])
    line = next(line for line in text.splitlines() if line.startswith("[^t1-1]"))
    quote = line.split(': "', 1)[1].rstrip('"')
    assert len(quote) == 300 and quote.endswith("…") and "  " not in quote
    assert line.startswith("[^t1-1]: *T\\**, A\\_ (p): ")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("What about the ending?", "companion-3-what-about-the-ending.md"),
        ("../../etc/passwd", "companion-3-etc-passwd.md"),
        ("Café — “Her” 😀", "companion-3-cafe-her.md"),
        ("\x1b[31m\x00", "companion-3-31m.md"),
        ("😀😀", "companion-3-conversation.md"),
        ("x" * 200, "companion-3-" + "x" * 40 + ".md"),
    ],
)
def test_suggested_filename_is_a_safe_slug(title, expected):
    name = suggested_filename(Conversation(3, title, 0.0, 0.0, 0))
    assert name == expected
    assert "/" not in name and "\\" not in name and name.isascii()
