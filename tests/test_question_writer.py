"""`companion write-questions`: a model that writes freely writes each sentence's questions into questions/<id>.jsonl."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from companion.asked import load_asked
from companion.backends.extractive import ExtractiveBackend
from companion.backends.openai import OpenAIBackend
from companion.cli import main
from companion.config import BackendSpec, shipped_dir
from companion.errors import CompanionError, ConfigError, PromptError
from companion.passages import essay_passages
from companion.question_writer import essay_sentences, parse_questions, write_questions
from companion.corpus import load_corpus
from companion.retrieval.sentence_vectors import asked_pairs
from tests.scripted_server import deltas_reply, json_reply, server, sse_reply  # noqa: F401 (a fixture)

PROMPTS = shipped_dir("prompts")
ESSAY = """---
id: tiny-review
title: "A Tiny Review"
author: "Jane Critic"
---

Theodore Twombly (Joaquin Phoenix) writes letters for other people. He buys an operating system that names itself Samantha.

I cried at the end, and so did my sister.
"""


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "tiny-review.md").write_text(ESSAY, "utf-8")
    return folder


@pytest.fixture
def remote(server):
    backend = OpenAIBackend(BackendSpec(name="writer", type="openai", model="tiny", base_url=server.url + "/v1",
                                        timeout=5, retries=0))
    yield backend
    backend.close()


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_parse_questions_drops_markers_quotes_preambles_and_repeats():
    text = ('Here are four questions:\n1. Who plays Theodore?\n- "what does theo do for work"\n'
            "• Who plays Theodore?\nQ4: Is the writer's sister in the story?\nYes\n" + "Why " * 100 + "?\n"
            "This film is so soothing, yet it provoked strong emotion.\nHere's a possible answer to that question!\n"
            'The sentence: "I cried at the end\nQuestion 3: What is the name of the OS?\n3) One more question here?')
    assert parse_questions(text) == (
        "Who plays Theodore?", "what does theo do for work", "Is the writer's sister in the story?",
        "What is the name of the OS?",
    )


def test_every_sentence_once_keyed_as_the_index_reads_it(corpus):
    essay = load_corpus(corpus)[0]
    words = [s.words for s in essay_sentences(essay)]
    assert words == [
        "Theodore Twombly (Joaquin Phoenix) writes letters for other people.",
        "He buys an operating system that names itself Samantha.",
        "I cried at the end, and so did my sister.",
    ]
    assert all(s.passage.startswith("Theodore Twombly") for s in essay_sentences(essay)[:2])


def test_writes_a_file_the_index_reads_and_a_second_run_asks_only_what_is_missing(corpus, remote, server):
    server.script = [
        sse_reply("1. Who plays Theodore?\n", "2. what does theo do for a living"),
        sse_reply("Here you go:\n- What is the OS called?"),
        sse_reply(""),
    ]
    told: list[tuple[int, int, str]] = []
    done = write_questions(corpus, PROMPTS, remote, told=lambda *step: told.append(step))
    path = corpus / "questions" / "tiny-review.jsonl"
    assert [(d.essay_id, d.asked, d.written, d.empty, d.before) for d in done] == [("tiny-review", 3, 2, 1, 0)]
    assert lines(path) == [
        {"sentence": "Theodore Twombly (Joaquin Phoenix) writes letters for other people.",
         "questions": ["Who plays Theodore?", "what does theo do for a living"]},
        {"sentence": "He buys an operating system that names itself Samantha.", "questions": ["What is the OS called?"]},
    ]
    assert told == [(n, 3, "tiny-review") for n in range(4)]
    prompt = server.seen[0].body["messages"][0]["content"]
    assert "A Tiny Review, by Jane Critic" in prompt and "Theodore Twombly (Joaquin Phoenix) writes letters" in prompt
    # What the index fits its maps on: each question paired with its sentence's own words.
    pairs = asked_pairs(essay_passages(load_corpus(corpus)[0]), load_asked(corpus))
    assert ("What is the OS called?", "He buys an operating system that names itself Samantha.") in pairs
    assert len(pairs) == 3

    server.script = [sse_reply("did the writer cry at the end?")]
    again = write_questions(corpus, PROMPTS, remote)
    assert [(d.asked, d.written, d.before) for d in again] == [(1, 1, 2)]
    assert len(server.seen) == 4 and "I cried at the end" in server.seen[3].body["messages"][0]["content"]
    assert [line["sentence"] for line in lines(path)][-1] == "I cried at the end, and so did my sister."


def test_a_failing_server_keeps_what_was_written_and_says_how_to_go_on(corpus, remote, server):
    server.script = [sse_reply("Who plays Theodore?"), json_reply(401, {"error": {"message": "bad key"}})]
    with pytest.raises(CompanionError) as failure:
        write_questions(corpus, PROMPTS, remote)
    path = corpus / "questions" / "tiny-review.jsonl"
    assert "kept in" in str(failure.value) and "companion write-questions tiny-review" in str(failure.value)
    assert [line["questions"] for line in lines(path)] == [["Who plays Theodore?"]]
    assert not list(path.parent.glob(".*writing"))


def test_lines_the_person_wrote_are_kept_even_for_sentences_edited_since(corpus, remote, server):
    folder = corpus / "questions"
    folder.mkdir()
    mine = [{"sentence": "I cried at the end, and so did my sister.", "questions": ["did the critic cry?"]},
            {"sentence": "A sentence since edited away.", "questions": ["what was it?"]}]
    (folder / "tiny-review.jsonl").write_text("".join(json.dumps(m) + "\n" for m in mine), "utf-8")
    server.script = [sse_reply("Who plays Theodore?"), sse_reply("What is the OS called?")]
    write_questions(corpus, PROMPTS, remote)
    assert [line["sentence"] for line in lines(folder / "tiny-review.jsonl")] == [
        "Theodore Twombly (Joaquin Phoenix) writes letters for other people.",
        "He buys an operating system that names itself Samantha.",
        "I cried at the end, and so did my sister.",
        "A sentence since edited away.",
    ]


def test_a_thinking_models_reasoning_is_not_taken_for_questions(corpus, remote, server):
    server.script = [
        deltas_reply({"reasoning_content": "Who is this? I should ask about casting."}, {"content": "Who plays Theodore?"}),
        sse_reply("<think>What would a person ask?</think>What is the OS called?"),
        sse_reply(""),
    ]
    write_questions(corpus, PROMPTS, remote)
    assert [line["questions"] for line in lines(corpus / "questions" / "tiny-review.jsonl")] == [
        ["Who plays Theodore?"], ["What is the OS called?"],
    ]


def test_a_backend_that_cannot_write_and_an_unknown_essay_are_refused(corpus, remote):
    with pytest.raises(ConfigError, match="does not write freely"):
        write_questions(corpus, PROMPTS, ExtractiveBackend())
    with pytest.raises(ConfigError, match="no-such-essay.*tiny-review"):
        write_questions(corpus, PROMPTS, remote, ["no-such-essay"])
    assert not (corpus / "questions").exists()


def test_a_prompts_folder_without_the_template_names_it(corpus, remote, tmp_path):
    with pytest.raises(PromptError, match="write_questions.md is missing"):
        write_questions(corpus, tmp_path, remote)
    (tmp_path / "write_questions.md").write_text("Questions for {sentence} please", "utf-8")
    with pytest.raises(PromptError, match="essay"):
        write_questions(corpus, tmp_path, remote)


def test_the_command_writes_and_tells_what_it_did(corpus, server, capsys):
    server.script = [sse_reply("Who plays Theodore?"), sse_reply(""), sse_reply("did the writer cry?")]
    out = io.StringIO()
    code = main(["write-questions", "--corpus", str(corpus), "--backend", "llama-server", "--base-url", server.url + "/v1",
                 "--model", "tiny"], out=out)
    assert code == 0
    assert "tiny-review: 2 of 3 sentences given questions, 1 none (0 had some already)" in out.getvalue()
    assert "companion ingest" in out.getvalue()
    assert "companion: writing questions for 0/3 sentences (tiny-review)" in capsys.readouterr().err
    assert main(["write-questions", "nope", "--corpus", str(corpus), "--backend", "extractive"], out=io.StringIO()) == 1
    assert "does not write freely" in capsys.readouterr().err


def test_a_corpus_that_cannot_be_written_says_how_to_write_elsewhere(corpus, remote, server):
    (corpus / "questions").write_text("a file where the folder should be", "utf-8")
    server.script = [sse_reply("Who plays Theodore?")]
    with pytest.raises(CompanionError, match="Cannot write .*tiny-review.jsonl.*--corpus DIR"):
        write_questions(corpus, PROMPTS, remote)


def test_every_shipped_question_passes_the_parser_as_written():
    shipped = [q for path in sorted((shipped_dir("corpus") / "questions").glob("*.jsonl"))
               for line in path.read_text("utf-8").splitlines() for q in json.loads(line)["questions"]]
    assert len(shipped) > 1000
    assert [q for q in shipped if parse_questions(q) != (q,)] == []
