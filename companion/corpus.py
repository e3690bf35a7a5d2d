"""Read and validate essay files: Markdown with a front-matter header."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from companion.errors import CorpusError

REQUIRED = ("id", "title")
KNOWN = ("id", "title", "author", "outlet", "url", "year", "about", "source", "form")
FORMS = ("essay", "conversation")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")
# Only essays count; READMEs and drafts beside them do not.
ESSAY_GLOB = "*.md"
SKIPPED_NAMES = {"README.md"}
# Sixty times the longest essay here (16 KB); a larger file is a dump or a mistake, and would take
# minutes and hundreds of MB to embed before anyone learnt so.
MAX_ESSAY_BYTES = 1_000_000


@dataclass(frozen=True)
class Essay:
    """One critic's essay, cleaned, with the metadata its text gives."""

    id: str
    title: str
    body: str
    path: Path
    author: str | None = None
    outlet: str | None = None
    url: str | None = None
    year: int | None = None
    about: str | None = None
    source: str | None = None
    form: str = "essay"

    @property
    def content_hash(self) -> str:
        """Return a digest of everything that changes what gets indexed."""
        fields = [self.id, self.title, self.author, self.outlet, self.url, self.year, self.form, self.body, self.about]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _parse_value(path: Path, key: str, raw: str) -> str:
    raw = raw.strip()
    if raw.startswith('"'):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CorpusError(path, f"front matter key {key!r} has a badly quoted value ({exc.msg})") from None
        if not isinstance(value, str):
            raise CorpusError(path, f"front matter key {key!r} must be text")
        return value
    return raw


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, str], str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise CorpusError(
            path, "no front matter: the file must start with a '---' line, then 'id:' and 'title:' lines, then '---'"
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise CorpusError(path, "front matter is not closed: add a '---' line after the header") from None
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, raw = line.partition(":")
        key = key.strip()
        if not sep or not key:
            raise CorpusError(path, f"line {number} of the front matter is not 'key: value'")
        if key not in KNOWN:
            raise CorpusError(path, f"unknown front matter key {key!r} on line {number} (known: {', '.join(KNOWN)})")
        if key in meta:
            raise CorpusError(path, f"front matter key {key!r} is given twice")
        meta[key] = _parse_value(path, key, raw)
    return meta, "\n".join(lines[end + 1 :])


def parse_essay(path: Path) -> Essay:
    """Read one essay file, or raise CorpusError naming the file and the problem."""
    path = Path(path)
    # A FIFO or a device named *.md would block or never end, so only regular files are read.
    if path.exists() and not path.is_file():
        raise CorpusError(path, "is not a regular file: keep only essay files (*.md) in the corpus directory")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_ESSAY_BYTES + 1)
    except OSError as exc:
        raise CorpusError(path, f"cannot be read ({exc.strerror})") from None
    if len(data) > MAX_ESSAY_BYTES:
        raise CorpusError(
            path, f"is larger than {MAX_ESSAY_BYTES // 1_000_000} MB, the limit for one essay: keep only the essay's "
            "text, or split it into several files"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(
            path, f"is not UTF-8 text (bad byte at position {exc.start}): re-save it as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise CorpusError(path, "is empty")
    meta, body = _split_front_matter(path, text)
    for key in REQUIRED:
        if not meta.get(key, "").strip():
            raise CorpusError(path, f"missing {key!r} in the front matter")
    essay_id = meta["id"].strip()
    if not ID_PATTERN.match(essay_id):
        raise CorpusError(
            path, f"id {essay_id!r} must be a slug: lowercase letters, digits and dashes, 2-64 characters"
        )
    form = meta.get("form", "essay").strip()
    if form not in FORMS:
        raise CorpusError(path, f"form {form!r} is not one of {', '.join(FORMS)}")
    year: int | None = None
    if meta.get("year"):
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        if not re.fullmatch(r"[0-9]{4}", meta["year"].strip()):
            raise CorpusError(path, f"year {meta['year'][:20]!r} must be a four-digit year such as 2014")
        year = int(meta["year"])
    body = body.strip("\n")
    if not body.strip():
        raise CorpusError(path, "has front matter but an empty body: add the essay's text below the header")
    return Essay(
        id=essay_id,
        title=meta["title"].strip(),
        body=body + "\n",
        path=path,
        author=(meta.get("author") or "").strip() or None,
        outlet=(meta.get("outlet") or "").strip() or None,
        url=(meta.get("url") or "").strip() or None,
        year=year,
        about=(meta.get("about") or "").strip() or None,
        source=(meta.get("source") or "").strip() or None,
        form=form,
    )


def load_corpus(directory: Path) -> list[Essay]:
    """Read every essay in a directory, sorted by id; ids must be unique."""
    directory = Path(directory)
    if not directory.is_dir():
        raise CorpusError(directory, "is not a directory of essays: pass --corpus DIR or set COMPANION_CORPUS_DIR")
    essays: dict[str, Essay] = {}
    for path in sorted(directory.glob(ESSAY_GLOB)):
        if path.name in SKIPPED_NAMES:
            continue
        essay = parse_essay(path)
        if essay.id in essays:
            raise CorpusError(path, f"id {essay.id!r} is already used by {essays[essay.id].path.name}")
        essays[essay.id] = essay
    if not essays:
        raise CorpusError(directory, "holds no essays (*.md files with front matter)")
    return sorted(essays.values(), key=lambda e: e.id)
