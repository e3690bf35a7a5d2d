"""A wheel built from the checkout works outside it; the environment `make` builds is consistent."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from companion import config
from companion.config import BUNDLED_DIR, REPO_ROOT, shipped_dir
from tests.conftest import CORPUS, PROMPTS

# What a fresh clone holds; a developer's venv, caches and build output are not part of it.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", "*.egg-info", "build", "dist", ".pytest_cache", ".hypothesis"
)
BUILD_SECONDS = 300


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = BUILD_SECONDS):
    """Run a command to completion, failing the test with its output if it fails."""
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """Copy the checkout as a clone would have it, so building never writes into the working tree."""
    target = tmp_path_factory.mktemp("clone") / "companion"
    shutil.copytree(REPO_ROOT, target, ignore=NOT_IN_A_CLONE)
    return target


@pytest.fixture(scope="module")
def wheel(clone, tmp_path_factory) -> Path:
    """Build the wheel the way `pip install .` does, offline."""
    out = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", out, clone)
    (built,) = out.glob("companion-*.whl")
    return built


@pytest.fixture(scope="module")
def site(wheel, tmp_path_factory) -> Path:
    """Install the wheel into a bare directory, outside the checkout."""
    target = tmp_path_factory.mktemp("site")
    run(sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", target, wheel)
    return target


def files_under(folder: Path) -> set[str]:
    """Return the paths of the files below a folder, relative to it, caches left out."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_the_wheel_carries_every_module_prompt_and_essay(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    package = REPO_ROOT / "companion"
    wanted = {f"companion/{name}" for name in files_under(package) if name.endswith((".py", ".tcss"))}
    wanted |= {f"companion/bundled/prompts/{name}" for name in files_under(PROMPTS)}
    wanted |= {f"companion/bundled/corpus/{name}" for name in files_under(CORPUS)}
    assert wanted - names == set(), "add the missing subpackage to [tool.setuptools] packages in pyproject.toml"


def test_the_source_archive_carries_prompts_and_corpus(clone, tmp_path):
    run(sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", tmp_path, clone)
    (archive,) = tmp_path.glob("companion-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    wanted = {f"prompts/{n}" for n in files_under(PROMPTS)} | {f"corpus/{n}" for n in files_under(CORPUS)}
    assert wanted - names == set()


def test_an_installed_wheel_answers_from_its_own_prompts_and_essays(site, tmp_path):
    env = {
        **os.environ, "PYTHONPATH": str(site), "COMPANION_DATA_DIR": str(tmp_path / "data"),
        "COMPANION_CONFIG": str(tmp_path / "no-config.toml"),
    }
    where = run(sys.executable, "-c", "import companion; print(companion.__file__)", cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(site), "the checkout's package shadowed the installed one"

    shown = run(site / "bin" / "companion", "config", cwd=tmp_path, env=env).stdout
    assert f"prompts dir:       {site / 'companion' / 'bundled' / 'prompts'}" in shown
    assert f"corpus dir:        {site / 'companion' / 'bundled' / 'corpus'}" in shown

    # A fresh data dir: the first question builds the index from the essays inside the wheel.
    asked = run(
        sys.executable, "-m", "companion", "ask", "--backend", "extractive", "What did the critics think of the ending?",
        cwd=tmp_path, env=env,
    )
    assert "[1]" in asked.stdout and "not a directory" not in asked.stderr


def test_a_checkout_uses_its_own_folders_and_an_install_its_packaged_copy(tmp_path, monkeypatch):
    assert shipped_dir("prompts") == PROMPTS and shipped_dir("corpus") == CORPUS
    # Installed, the package sits in site-packages: a stray prompts/ there belongs to someone else.
    (tmp_path / "prompts").mkdir()
    monkeypatch.setattr(config, "REPO_ROOT", tmp_path)
    assert shipped_dir("prompts") == BUNDLED_DIR / "prompts"


def test_the_installed_packages_requirements_are_all_met():
    """`pip check` finds what makes pip print "ERROR: pip's dependency resolver…" during setup."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PIP_NO_INDEX": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
