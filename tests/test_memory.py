"""What Samantha remembers about a person: extracted carefully, kept across sessions, truly erased when forgotten."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from companion.config import REPO_ROOT
from companion.errors import CompanionError
from companion.memory import (
    FILENAME, HEADER, MAX_PER_KIND, Fact, Memory, MemoryStoreError, describe_gap, summary_for_prompt,
)
from companion.memory_facts import NOT_SEEN, SEEN, extract_facts

HOUR, DAY = 3600.0, 86400.0

LABELLED = [
    # What people say about themselves.
    ("My name is Ana", [("name", "Ana")]),
    ("I'm Ana", [("name", "Ana")]),
    ("call me Ana", [("name", "Ana")]),
    ("Hi, I’m Zoë!", [("name", "Zoë")]),
    ("my name is ana silva", [("name", "Ana Silva")]),
    ("I haven't seen it yet", [("seen", NOT_SEEN)]),
    ("I have not seen Her", [("seen", NOT_SEEN)]),
    ("I've never watched it", [("seen", NOT_SEEN)]),
    ("haven't watched the film", [("seen", NOT_SEEN)]),
    ("I just watched it", [("seen", SEEN)]),
    ("I saw it last night", [("seen", SEEN)]),
    ("I've seen it twice", [("seen", SEEN)]),
    ("I haven't seen it since 2014", [("seen", SEEN)]),
    ("The ending made me hopeful", [("feeling", "the ending made them hopeful")]),
    ("I loved Amy", [("feeling", "loved Amy")]),
    ("I cried at the ending", [("feeling", "cried at the ending")]),
    ("I hated the mustache.", [("feeling", "hated the mustache")]),
    ("I was moved by the letters", [("feeling", "was moved by the letters")]),
    ("I love the music", [("feeling", "loves the music")]),
    ("I love science fiction", [("cares", "loves science fiction")]),
    ("I care about loneliness", [("cares", "cares about loneliness")]),
    ("I'm a big fan of Ursula Le Guin", [("cares", "is a big fan of Ursula Le Guin")]),
    ("I'm a photographer", [("about", "is a photographer")]),
    ("I work as a nurse", [("about", "works as a nurse")]),
    ("I live in Lisbon", [("about", "lives in Lisbon")]),
    ("I'm from Porto", [("about", "is from Porto")]),
    ("Hi! I'm Ana, and I loved Amy. The ending made me think about my ex.",
     [("name", "Ana"), ("feeling", "loved Amy"), ("feeling", "the ending made them think about their ex")]),
    # Typed as people chat: no capitals, no apostrophe.
    ("hi im alex and i just watched her", [("name", "Alex"), ("seen", SEEN)]),
    ("hey i'm sam, just finished the movie", [("name", "Sam")]),
    # A greeting alone before a comma or a "!" still greets the name after it.
    ("hi, i'm maya", [("name", "Maya")]), ("hello! im maya", [("name", "Maya")]), ("hey, i'm so tired", []),
    # "Call me" names them however typed; a chat word at the end is no part of a fact.
    ("call me jo", [("name", "Jo")]), ("call me later", []), ("call me tomorrow", []),
    ("i'm a nurse btw", [("about", "is a nurse")]), ("i loved the ending tbh", [("feeling", "loved the ending")]),
    ("i finally saw her", [("seen", SEEN)]),
    ("I just watched it and I cried when Samantha left me", [("seen", SEEN),
                                                              ("feeling", "cried when Samantha left them")]),
    # Moods and states are not names.
    ("I'm sad", []),
    ("I'm Sad", []),
    ("I'm not sure", []),
    ("I'm Sorry", []),
    ("I'm Just tired", []),
    ("I'm Spanish", []),
    ("I AM HERE", []),
    ("hi im tired", []),
    ("im sam", []),
    ("call me crazy", []),
    ("I'm a bit lost", []),
    # Questions.
    ("Do I love it?", []),
    ("Have I seen it?", []),
    ("Am I Ana?", []),
    ("Did you cry at the ending?", []),
    ("I loved Amy, didn't you?", []),
    # Hypotheticals and plans.
    ("If I loved Amy, would that be strange", []),
    ("I would love science fiction if it were kinder", []),
    ("Maybe I'm a photographer at heart", []),
    ("I'd love to see it", []),
    ("I'm going to watch it tonight", []),
    ("I'll watch it tomorrow", []),
    # Other people, and people quoted.
    ("My friend loved it", []),
    ("My sister's name is Ana", []),
    ("She cried at the ending", []),
    ("My husband works as a nurse", []),
    ("Theodore loved Samantha", []),
    ('He told me "I live in Lisbon"', []),
    # Disliking the film or a part of it is a feeling too, typed with or without its apostrophe.
    ("I didn't like the ending though", [("feeling", "did not like the ending")]),
    ("i dont like theodore", [("feeling", "does not like theodore")]),
    ("I really didnt enjoy the music", [("feeling", "did not enjoy the music")]),
    # Negations, things said to Samantha, and nothing at all to keep.
    ("I did not like it", []),
    ("I don't like my job", []),
    ("I do not like not knowing the ending", []),
    ("I don't love science fiction", []),
    ("I never loved Amy", []),
    ("I haven't seen her in years", []),
    ("I didn't see it coming", []),
    ("I love you", []),
    ("I loved it", []),
    ("I hate crowds", []),
    ("What is the film about", []),
    ("", []),
]


@pytest.mark.parametrize(("message", "expected"), LABELLED, ids=[m[:40] or "empty" for m, _ in LABELLED])
def test_extraction_on_a_labelled_set(message, expected):
    assert extract_facts(message) == expected


def test_the_labelled_set_covers_positives_and_negatives():
    assert sum(1 for _, e in LABELLED if e) >= 25 and sum(1 for _, e in LABELLED if not e) >= 25


def test_very_long_messages_are_not_read():
    assert extract_facts("I live in Lisbon. " + "x" * 2000) == []
    assert extract_facts("I live in Lisbon. " + "x" * 1900) == [("about", "lives in Lisbon")]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / FILENAME


def on_disk(db_path) -> bytes:
    """Return the raw bytes of the database and its write-ahead log, as anyone reading the disk would see them."""
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_facts_survive_a_new_session(db_path):
    clock = Clock()
    with Memory(db_path, clock=clock) as memory:
        stored = memory.remember("Hi, I'm Ana. I live in Lisbon and I loved Amy.")
        assert [(f.kind, f.text) for f in stored] == [("name", "Ana"), ("about", "lives in Lisbon"),
                                                      ("feeling", "loved Amy")]
        assert all(f.source == "Hi, I'm Ana. I live in Lisbon and I loved Amy." for f in stored)
        assert all(f.created_at == f.updated_at == clock.now for f in stored)
        assert memory.remember("What do you think of the ending?") == []
    with Memory(db_path) as again:
        assert again.facts() == stored
        assert again.name() == "Ana" and again.seen_film() is None
        assert again.notice is None


def test_facts_written_by_another_process_can_be_read(db_path):
    script = (
        "import sys; from pathlib import Path; from companion.memory import Memory\n"
        "with Memory(Path(sys.argv[1])) as m:\n"
        "    m.remember(\"I haven't seen it yet. My name is Ana\")\n"
        "    m.touch()\n"
    )
    subprocess.run([sys.executable, "-c", script, str(db_path)], check=True, cwd=REPO_ROOT, timeout=60)
    with Memory(db_path) as memory:
        assert memory.name() == "Ana" and memory.seen_film() is False
        assert [f.kind for f in memory.facts()] == ["seen", "name"]
        assert memory.last_seen() is not None


def test_name_and_seen_are_replaced_not_duplicated(db_path):
    with Memory(db_path) as memory:
        memory.remember("I'm Ana. I haven't seen it yet.")
        assert memory.remember("my name is ana") == []
        [renamed] = memory.remember("Actually, call me Annie")
        assert renamed.text == "Annie" and memory.name() == "Annie"
        assert memory.seen_film() is False
        assert [f.kind for f in memory.remember("I just watched it!")] == ["seen"]
        assert memory.seen_film() is True
        assert sorted(f.kind for f in memory.facts()) == ["name", "seen"]
    with Memory(db_path) as again:
        assert (again.name(), again.seen_film()) == ("Annie", True)


def test_other_facts_skip_duplicates_and_keep_the_newest_fifty(db_path):
    clock = Clock()
    with Memory(db_path, clock=clock) as memory:
        [first] = memory.remember("I love science fiction")
        clock.now += 10
        assert memory.remember("I LOVE SCIENCE FICTION") == []
        assert [(f.text, f.created_at, f.updated_at) for f in memory.facts()] == [
            ("loves science fiction", first.created_at, first.created_at + 10)
        ]
        for n in range(MAX_PER_KIND + 5):
            memory.remember(f"I care about thing {n}")
        cares = [f.text for f in memory.facts() if f.text.startswith("cares about")]
        assert len(cares) == MAX_PER_KIND and cares[0] == "cares about thing 5" and cares[-1].endswith(" 54")
        assert "loves science fiction" not in [f.text for f in memory.facts()]


def test_forgetting_one_fact_erases_it_from_disk(db_path):
    with Memory(db_path) as memory:
        name, home = memory.remember("I'm Zuleika and I live in Quixotopolis")
        [job] = memory.remember("I work as a lighthouse keeper")
        assert b"Quixotopolis" in on_disk(db_path) and b"Zuleika" in on_disk(db_path)
        assert memory.forget(home.id) is True
        assert memory.forget(home.id) is False
        assert [f.id for f in memory.facts()] == [name.id, job.id]
        # The message that taught the forgotten fact is scrubbed from the fact it also taught.
        assert memory.facts()[0].source == ""
        assert memory.forget(name.id)
        raw = on_disk(db_path)
        assert b"Quixotopolis" not in raw and b"Zuleika" not in raw
        assert b"lighthouse keeper" in raw
        wal = db_path.with_name(FILENAME + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
    assert b"Quixotopolis" not in on_disk(db_path) and b"Zuleika" not in on_disk(db_path)
    with Memory(db_path) as again:
        assert [f.text for f in again.facts()] == ["works as a lighthouse keeper"]


def test_forgetting_everything_erases_it_from_disk(db_path):
    clock = Clock()
    with Memory(db_path, clock=clock) as memory:
        memory.touch()
        memory.remember("I'm Zuleika. I care about Quixotopolis. I haven't seen it yet.")
        memory.remember("I loved the Quixotopolis scenes")
        assert memory.forget_all() == 4
        assert memory.forget_all() == 0
        assert memory.facts() == [] and memory.name() is None and memory.seen_film() is None
        assert memory.last_seen() is None
        raw = on_disk(db_path)
        assert b"Quixotopolis" not in raw and b"Zuleika" not in raw
    with Memory(db_path, clock=clock) as again:
        assert again.facts() == [] and again.last_seen() is None


def test_secure_delete_and_wal_are_on(db_path):
    with Memory(db_path):
        raw = sqlite3.connect(db_path)
        try:
            assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert raw.execute("PRAGMA user_version").fetchone() == (1,)
        finally:
            raw.close()


def test_a_corrupt_file_is_moved_aside_with_a_notice(db_path):
    db_path.parent.mkdir(parents=True)
    garbage = b"definitely not sqlite\x00" * 100
    db_path.write_bytes(garbage)
    with Memory(db_path) as memory:
        [moved] = [p for p in db_path.parent.glob(FILENAME + ".corrupt-*")]
        assert moved.read_bytes() == garbage
        assert memory.notice == f"{FILENAME} was unreadable; it was moved to {moved} and a new one started"
        memory.remember("My name is Ana")
    with Memory(db_path) as again:
        assert again.notice is None and again.name() == "Ana"


def test_a_foreign_database_is_moved_aside(db_path):
    db_path.parent.mkdir(parents=True)
    other = sqlite3.connect(db_path)
    other.execute("CREATE TABLE facts (something TEXT)")
    other.commit()
    other.close()
    with Memory(db_path) as memory:
        assert memory.notice and "moved to" in memory.notice
        assert memory.remember("I'm Ana")[0].text == "Ana"


def test_errors_are_companion_errors(db_path, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data dir should be")
    with pytest.raises(MemoryStoreError, match="--data-dir or set COMPANION_DATA_DIR"):
        Memory(blocker / "data" / FILENAME)
    memory = Memory(db_path)
    memory.close()
    with pytest.raises(CompanionError, match="closed"):
        memory.facts()


def test_last_seen_is_the_previous_session(db_path):
    clock = Clock()
    with Memory(db_path, clock=clock) as first:
        assert first.last_seen() is None
        assert first.touch() is None
        clock.now += 60
        assert first.touch() is None  # touching again in the same session keeps "before this session"
        assert first.last_seen() is None
    clock.now += 3 * DAY
    with Memory(db_path, clock=clock) as second:
        assert second.last_seen() == clock.now - 3 * DAY  # before touching: the last time they talked
        assert second.touch() == clock.now - 3 * DAY
        clock.now += HOUR
        second.touch()
        assert second.last_seen() == clock.now - HOUR - 3 * DAY
        assert describe_gap(clock.now - HOUR - second.last_seen()) == "a few days"
    with Memory(db_path, clock=clock) as third:
        assert third.touch() == clock.now


@pytest.mark.parametrize(("seconds", "phrase"), [
    (None, None), (float("nan"), None), (-5.0, None), (0.0, None), (599.0, None),
    (600.0, "a little while"), (2 * HOUR - 1, "a little while"),
    (2 * HOUR, "a few hours"), (18 * HOUR - 1, "a few hours"),
    (18 * HOUR, "a day or so"), (48 * HOUR - 1, "a day or so"),
    (2 * DAY, "a few days"), (7 * DAY - 1, "a few days"),
    (7 * DAY, "about a week"), (10 * DAY, "about a week"), (14 * DAY, "about 2 weeks"), (60 * DAY - 1, "about 9 weeks"),
    (60 * DAY, "a couple of months"), (180 * DAY - 1, "a couple of months"),
    (180 * DAY, "a long time"), (float("inf"), "a long time"),
])
def test_describe_gap_thresholds(seconds, phrase):
    assert describe_gap(seconds) == phrase


def fact(n: int, kind: str, text: str) -> Fact:
    return Fact(n, kind, text, "source", 1.0, 1.0)


def test_summary_for_prompt_format():
    assert summary_for_prompt([]) == ""
    facts = [
        fact(1, "feeling", "the ending made them hopeful"), fact(2, "name", "Ana"), fact(3, "seen", NOT_SEEN),
        fact(4, "feeling", "loved Amy"), fact(5, "cares", "loves science fiction"),
        fact(6, "about", "is a photographer"),
        fact(7, "about", "works as a nurse"), fact(8, "feeling", "was moved by the letters"),
        fact(9, "cares", "cares about loneliness"), fact(10, "about", "grew up in Ohio"),
    ]
    assert summary_for_prompt(facts) == "\n".join([
        HEADER,
        "- Their name is Ana.",
        "- They have not seen Her yet.",
        "- The ending made them hopeful.",
        "- They loved Amy.",
        "- They love science fiction.",
        "- They are a photographer.",
        "- They work as a nurse.",
        "- They were moved by the letters.",
        "- They care about loneliness.",
        "- They grew up in Ohio.",
    ])
    assert HEADER == "What you remember about the person (from earlier conversations; never cite it):"
    assert summary_for_prompt([fact(1, "seen", SEEN)]) == HEADER + "\n- They have seen Her."


def test_summary_shows_control_characters_escaped_and_stays_short():
    hostile = summary_for_prompt([fact(1, "name", "Ana\x1b[31m\x00"), fact(2, "about", "is \x07here\nnow")])
    assert "\x1b" not in hostile and "\x00" not in hostile and "\x07" not in hostile
    assert "- Their name is Ana\\x1b[31m\\x00." in hostile and "- They are \\x07here now." in hostile
    many = [fact(n, "cares", f"cares about thing {n}") for n in range(40)] + [fact(99, "name", "Ana")]
    lines = summary_for_prompt(many).splitlines()
    assert lines[1] == "- Their name is Ana." and lines[-1] == "- They care about thing 39." and len(lines) <= 16


def test_remembered_text_round_trips_through_the_summary(db_path):
    with Memory(db_path) as memory:
        memory.remember("I'm Ana. I haven't seen it yet. I care about loneliness.")
        assert summary_for_prompt(memory.facts()) == "\n".join([
            HEADER, "- Their name is Ana.", "- They have not seen Her yet.", "- They care about loneliness.",
        ])


def test_memory_commands_list_and_forget_in_each_surfaces_words(db_path):
    from companion.errors import InputError
    from companion.memory_commands import CHAT, CLI, forget, show_memory

    with Memory(db_path) as memory:
        assert show_memory(memory, CHAT) == "I don't remember anything about you yet."
        assert forget(memory, "all", CHAT) == "I didn't remember anything about you, so there was nothing to forget."
        [name] = memory.remember("My name is Ana")
        assert show_memory(memory, CHAT).splitlines() == [
            f"{name.id:>4}  name: Ana", "Forget one with /forget ID, or everything with /forget all.",
        ]
        assert show_memory(memory, CLI).splitlines()[-1] == (
            "Forget one with `companion memory --forget ID`, or everything with `--forget-all`."
        )
        with pytest.raises(InputError, match="^Nothing is remembered under 99: /memory lists the ids.$"):
            forget(memory, "99", CHAT)
        with pytest.raises(InputError, match="under 99: `companion memory` lists the ids"):
            forget(memory, "99", CLI)
        with pytest.raises(InputError, match="^Say /forget ID \\(the ids are in /memory\\) or /forget all.$"):
            forget(memory, "Ana", CHAT)
        assert forget(memory, " ALL ", CHAT) == "I forgot the one thing I remembered. It's gone from disk."
        home, job = memory.remember("I live in Lisbon. I work as a nurse.")
        assert forget(memory, str(home.id), CLI) == f"I forgot item {home.id}. It's gone from disk."
        assert [f.id for f in memory.facts()] == [job.id]
        memory.remember("I'm Ana")
        assert forget(memory, "all", CLI) == "I forgot all 2 things I remembered. They're gone from disk."
        assert memory.facts() == []


def test_memory_listing_shows_control_characters_escaped(db_path):
    from companion.memory_commands import CHAT, show_memory

    with Memory(db_path) as memory:
        memory.remember("I live in Lis\x1b[31mbon")
        shown = show_memory(memory, CHAT)
    assert "\x1b" not in shown and "\\x1b[31m" in shown


def test_an_empty_file_is_said_once_by_the_command(tmp_path, capsys):
    import io

    from companion.cli import main

    data = tmp_path / "data"
    data.mkdir()
    (data / FILENAME).write_bytes(b"")
    assert main(["memory", "--data-dir", str(data)], out=io.StringIO()) == 0
    assert f"companion: {FILENAME} was empty (0 bytes), so what Samantha remembers starts afresh" in capsys.readouterr().err
    assert main(["memory", "--data-dir", str(data)], out=io.StringIO()) == 0
    assert capsys.readouterr().err == ""
