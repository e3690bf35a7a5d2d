"""Reading essays: the real corpus and every kind of bad file."""

from __future__ import annotations

import os
import threading
import tracemalloc
from pathlib import Path

import pytest

from companion.corpus import MAX_ESSAY_BYTES, load_corpus, parse_essay
from companion.errors import CorpusError
from tests.conftest import CORPUS, SEEDS

BOILERPLATE = [
    "Leave a Reply", "Leave a Comment", "Download on the App Store", "Google Play", "Get the Medium app",
    "WordPress.com", "You are commenting using", "Connecting to %s", "bloggers like this", "ten − four",
    "Cast & Crew", "Sponsored Links", "Official Trailer", "Fill in your details below", "One response to",
]

GOOD = '---\nid: test-essay\ntitle: "A Test: Essay"\n---\n\nSome words about Her.\n'


def write(tmp_path: Path, content: str | bytes, name: str = "essay.md") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_real_corpus_has_the_five_essays_with_only_given_metadata():
    essays = {e.id: e for e in load_corpus(CORPUS)}
    assert len(essays) == 5
    assert essays["what-her-tells-us"].author == "Steven Boone and Jennifer Anise"
    assert essays["what-her-tells-us"].form == "conversation"
    # The other pages never name their writer: no author may be invented for them.
    assert [e.id for e in essays.values() if e.author] == ["what-her-tells-us"]
    assert essays["shared-experience"].title == "Her, and the Shared Experience"
    assert all(e.year is None and e.url is None for e in essays.values())


def test_corpus_is_free_of_web_boilerplate():
    for essay in load_corpus(CORPUS):
        for phrase in BOILERPLATE:
            assert phrase not in essay.body, (essay.id, phrase)


@pytest.mark.skipif(SEEDS is None, reason="set COMPANION_SHARED_SEEDS to the raw essays' folder to compare with them")
def test_corpus_keeps_the_essays_word_for_word():
    assert SEEDS is not None
    for essay in load_corpus(CORPUS):
        seed = (SEEDS / Path(essay.source).name).read_text("utf-8")
        seed_lines = {line.rstrip() for line in seed.split("\n")}
        for line in essay.body.split("\n"):
            assert not line or line in seed_lines, (essay.id, line[:80])


def test_good_file_parses(tmp_path):
    essay = parse_essay(write(tmp_path, GOOD))
    assert essay.id == "test-essay"
    assert essay.title == "A Test: Essay"
    assert essay.author is None
    assert essay.body == "Some words about Her.\n"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"---\nid: x1\ntitle: T\n---\n\xff\xfe bad bytes\n", "not UTF-8"),
        ("Just an essay with no header.\n", "no front matter"),
        ("---\nid: x1\ntitle: T\nMore text\n", "not closed"),
        ("---\nid: x1\n---\nBody text.\n", "missing 'title'"),
        ("---\ntitle: T\n---\nBody text.\n", "missing 'id'"),
        ("---\nid: x1\ntitle: T\n---\n\n   \n", "empty body"),
        ("---\nid: Not A Slug\ntitle: T\n---\nBody.\n", "must be a slug"),
        ("---\nid: x1\ntitle: T\nrating: 5\n---\nBody.\n", "unknown front matter key 'rating'"),
        ("---\nid: x1\ntitle: T\ntitle: U\n---\nBody.\n", "given twice"),
        ("---\nid: x1\ntitle: T\nyear: soon\n---\nBody.\n", "must be a four-digit year"),
        ('---\nid: x1\ntitle: "unclosed\n---\nBody.\n', "badly quoted"),
        ("---\nid: x1\ntitle: T\nform: poem\n---\nBody.\n", "form 'poem'"),
        ("---\nid: x1\njust words\n---\nBody.\n", "not 'key: value'"),
    ],
)
def test_bad_file_is_named_with_its_problem(tmp_path, content, problem):
    path = write(tmp_path, content, "bad-one.md")
    with pytest.raises(CorpusError) as caught:
        parse_essay(path)
    assert problem in str(caught.value)
    assert "bad-one.md" in str(caught.value)


def test_duplicate_ids_are_refused(tmp_path):
    write(tmp_path, GOOD, "a.md")
    write(tmp_path, GOOD, "b.md")
    with pytest.raises(CorpusError, match="already used by a.md"):
        load_corpus(tmp_path)


def test_empty_or_missing_directory(tmp_path):
    with pytest.raises(CorpusError, match="holds no essays"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError, match="not a directory"):
        load_corpus(tmp_path / "nowhere")


def test_readme_and_crlf_are_handled(tmp_path):
    write(tmp_path, "# How to add an essay\n", "README.md")
    write(tmp_path, GOOD.replace("\n", "\r\n"), "x.md")
    (essay,) = load_corpus(tmp_path)
    assert "\r" not in essay.body


def test_content_hash_follows_the_text(tmp_path):
    one = parse_essay(write(tmp_path, GOOD, "one.md"))
    same = parse_essay(write(tmp_path, GOOD, "same.md"))
    changed = parse_essay(write(tmp_path, GOOD.replace("Some", "Other"), "changed.md"))
    assert one.content_hash == same.content_hash != changed.content_hash
    # The note on the writers is searched and cited as well.
    noted = parse_essay(write(tmp_path, GOOD.replace("---\n\n", 'about: "A critic."\n---\n\n', 1), "noted.md"))
    assert noted.about == "A critic." and noted.content_hash != one.content_hash


def test_an_oversized_essay_is_refused_before_it_is_read_whole(tmp_path):
    # A well-formed 20 MB essay: without a limit it parses, then takes minutes and ~750 MB to embed.
    path = write(tmp_path, GOOD + "She laughs at the ceiling. " * 800_000, "huge.md")
    assert path.stat().st_size > 20 * MAX_ESSAY_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(CorpusError) as caught:
            load_corpus(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "huge.md: is larger than 1 MB, the limit for one essay" in str(caught.value)
    assert peak < 3 * MAX_ESSAY_BYTES


def test_the_limit_admits_an_essay_of_exactly_that_size_and_every_real_essay(tmp_path):
    padding = MAX_ESSAY_BYTES - len(GOOD.encode("utf-8"))
    essay = parse_essay(write(tmp_path, GOOD + "x" * (padding - 1) + "\n"))
    assert essay.path.stat().st_size == MAX_ESSAY_BYTES
    assert max(path.stat().st_size for path in CORPUS.glob("*.md")) * 20 < MAX_ESSAY_BYTES


def test_a_fifo_named_like_an_essay_is_refused_without_blocking(tmp_path):
    write(tmp_path, GOOD, "a.md")
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    caught: list[BaseException] = []
    reader = threading.Thread(target=lambda: _record(caught, load_corpus, tmp_path), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():
        # Let the blocked reader go (opening the write end ends its wait) before failing.
        os.close(os.open(fifo, os.O_WRONLY))
        pytest.fail("reading the corpus blocked on a FIFO")
    assert len(caught) == 1 and "pipe.md: is not a regular file" in str(caught[0])


def _record(caught: list[BaseException], function, *args) -> None:
    try:
        function(*args)
    except BaseException as exc:  # the test thread reports whatever ended the call
        caught.append(exc)
