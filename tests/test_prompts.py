"""Prompts are plain files; a missing or broken one is named in the error."""

from __future__ import annotations

import shutil

import pytest

from companion.errors import PromptError
from companion.prompts import TEMPLATES, load_prompts
from tests.conftest import PROMPTS


@pytest.fixture
def prompts_copy(tmp_path):
    target = tmp_path / "prompts"
    shutil.copytree(PROMPTS, target)
    return target


def test_every_template_loads(prompts):
    assert set(prompts.variants) == set(TEMPLATES)
    assert len(prompts.variants["openers"]) >= 3
    rendered = prompts.render("answer", evidence="[1] text", question="Why?")
    assert "[1] text" in rendered and "Why?" in rendered


def test_choice_is_deterministic_and_varies(prompts):
    picks = {prompts.choose("openers", f"question {i}") for i in range(40)}
    assert len(picks) > 1


def test_a_fresh_choice_passes_over_what_was_just_said(prompts):
    keyed = prompts.choose("closers", "who plays amy?")
    assert prompts.choose_fresh("closers", "who plays amy?", []) == keyed
    fresh = prompts.choose_fresh("closers", "who plays amy?", [f"Amy Adams plays Amy.\n\n{keyed}"])
    assert fresh != keyed and fresh in prompts.variants["closers"]
    # With every variant said lately, the keyed one is said again rather than nothing.
    assert prompts.choose_fresh("closers", "who plays amy?", ["\n".join(prompts.variants["closers"])]) == keyed
    assert prompts.choose("openers", "same") == prompts.choose("openers", "same")


def test_a_custom_directory_is_used(prompts_copy):
    (prompts_copy / "openers.md").write_text("Only this opener.\n", "utf-8")
    assert load_prompts(prompts_copy).variants["openers"] == ("Only this opener.",)


def test_missing_file_is_named(prompts_copy):
    (prompts_copy / "closers.md").unlink()
    with pytest.raises(PromptError, match="closers.md is missing"):
        load_prompts(prompts_copy)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("answer", "No placeholders at all.", "must use {evidence}, {question}"),
        ("attributions", "In {title} by {writer}:", "found ['title', 'writer']"),
        ("openers", "A stray { brace.", "broken template"),
        ("openers", "# only a comment\n", "is empty"),
    ],
)
def test_broken_template_is_named(prompts_copy, name, content, problem):
    (prompts_copy / f"{name}.md").write_text(content, "utf-8")
    with pytest.raises(PromptError) as caught:
        load_prompts(prompts_copy)
    assert f"{name}.md" in str(caught.value) and problem in str(caught.value)
