"""The `companion` command: argument parsing and printing only."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from companion import __version__
from companion.cli_io import (
    hit_json, ingest_progress, input_lines, let_bad_bytes_through, path_arg, reply_json, text_arg,
)
from companion.config import Settings, go_offline, load_settings
from companion.errors import CompanionError
from companion.serve import add_parser as add_serve_parser
from companion.text import printable

def _common(default: object) -> argparse.ArgumentParser:
    """Options every command takes, before or after its name."""
    common = argparse.ArgumentParser(add_help=False, argument_default=default)
    common.add_argument("--config", type=path_arg, dest="config_file", help="config file (default: see `companion config`)")
    common.add_argument("--data-dir", type=path_arg, help="where the index lives (default: your user data dir; env COMPANION_DATA_DIR)")
    common.add_argument("--corpus", type=path_arg, dest="corpus_dir", help="directory of essay files (default: corpus/)")
    common.add_argument("--prompts", type=path_arg, dest="prompts_dir", help="directory of prompt files (default: prompts/)")
    common.add_argument(
        "--embedding-model", type=text_arg, help="embedding model directory or name (default: the packaged all-MiniLM-L6-v2)"
    )
    common.add_argument(
        "--chroma-url", type=text_arg, help="use a Chroma server (e.g. http://127.0.0.1:8000) instead of the embedded index"
    )
    return common


def _parser() -> argparse.ArgumentParser:
    # After the command name, an option left out must not erase one given before it.
    common = _common(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="companion", description="Talk with Samantha about Her (2013), grounded in critics' essays.",
        parents=[_common(None)],
    )
    parser.add_argument("--version", action="version", version=f"companion {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    model_flags = argparse.ArgumentParser(add_help=False)
    model_flags.add_argument("--backend", type=text_arg, help="backend or profile name (see `companion models`)")
    model_flags.add_argument("--model", type=text_arg, help="model name, or a .gguf path for llama-cpp")
    model_flags.add_argument("--base-url", type=text_arg, help="server URL for an OpenAI-compatible backend, e.g. http://127.0.0.1:11434/v1")

    sub.add_parser("chat", parents=[common, model_flags], help="open the chat window (the default)")
    add_serve_parser(sub, [common, model_flags])
    sub.add_parser("models", parents=[common, model_flags], help="list the backends and whether each is ready")
    sub.add_parser("config", parents=[common, model_flags], help="show the config file path and the effective settings")

    sub.add_parser("ingest", parents=[common], help="read the essays into the index (only what changed)")
    writing = sub.add_parser("write-questions", parents=[common, model_flags], help="have a model write each sentence's questions")
    writing.add_argument("essays", nargs="*", metavar="ESSAY_ID", help="essay ids (default: every essay)")

    evaluate = sub.add_parser("eval", parents=[common, model_flags], help="measure retrieval and answers on questions")
    evaluate.add_argument("questions", nargs="?", type=Path,
                          help="a JSONL file of {\"q\", \"gold\", \"kind\"} questions (default: eval/questions.jsonl)")
    evaluate.add_argument("--split", choices=["dev", "test", "all"], default="all",
                          help="dev to tune on, test to report (see eval/README.md); default all")
    evaluate.add_argument("--retriever", action="append", choices=["hybrid", "hybrid-rrf", "dense", "bm25"],
                          help="retriever to measure (repeat to compare; default: all four side by side)")
    evaluate.add_argument("--shuffled", action="store_true", help="also measure a shuffled index (negative control)")
    evaluate.add_argument("--no-answers", action="store_true", help="measure retrieval only, without asking the engine")
    evaluate.add_argument("--json", action="store_true", help="print JSON")

    memory = sub.add_parser("memory", parents=[common], help="show what Samantha remembers about you, or forget it")
    memory.add_argument("--forget", type=int, metavar="ID", help="forget one remembered item")
    memory.add_argument("--forget-all", action="store_true", help="forget everything she remembers about you")

    export = sub.add_parser("export", parents=[common], help="write a saved conversation as Markdown with footnotes")
    export.add_argument("conversation", nargs="?", type=int, help="conversation number (default: the latest)")
    export.add_argument("-o", "--output", type=path_arg, help="file to write (default: standard output)")
    export.add_argument("--list", action="store_true", help="list the saved conversations instead")

    search = sub.add_parser("search", parents=[common], help="show the passages closest to a query")
    search.add_argument("query", nargs="*", help="the query (or use --stdin)")
    search.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    search.add_argument("--retriever", choices=["hybrid", "hybrid-rrf", "dense", "bm25"], default="hybrid",
                        help="hybrid (BM25 and dense, score-fused; the default), hybrid-rrf (rank-fused), dense, bm25")
    search.add_argument("--json", action="store_true", help="print JSON")
    search.add_argument("--stdin", action="store_true", help="read one query per line; print one JSON object per line")

    ask = sub.add_parser("ask", parents=[common, model_flags], help="ask one question and print the cited reply")
    ask.add_argument("question", nargs="*", help="the question (or use --stdin)")
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.add_argument("--stdin", action="store_true", help="read one question per line; print one JSON object per line")
    # Commands without the model or server flags still read them, as unset.
    parser.set_defaults(model=None, base_url=None, backend=None)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        config_file=args.config_file,
        chroma_url=args.chroma_url,
        model=args.model,
        base_url=args.base_url,
        data_dir=args.data_dir,
        corpus_dir=args.corpus_dir,
        prompts_dir=args.prompts_dir,
        embedding_model=args.embedding_model,
        backend=args.backend,
    )


def _say(text: str) -> None:
    print(f"companion: {text}", file=sys.stderr, flush=True)


def _open_retrieval(settings: Settings, retriever: str = "hybrid"):
    from companion.retrieval.service import open_retrieval

    update, stop = ingest_progress()
    try:
        retrieval = open_retrieval(settings, progress=update, retriever=retriever, status=_say)
    finally:
        stop()
    for notice in retrieval.notices:
        print(f"companion: {notice}", file=sys.stderr)
    if retrieval.built:
        print(f"Built the index: {retrieval.built.summary()}.", file=sys.stderr)
    return retrieval


def _emit(obj: dict, out: TextIO) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    out.flush()


def cmd_ingest(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    from companion.retrieval.service import run_ingest

    update, stop = ingest_progress()
    notices: list[str] = []
    try:
        report = run_ingest(settings, progress=update, notices=notices, status=_say)
    finally:
        stop()
    for notice in notices:
        print(f"companion: {notice}", file=sys.stderr)
    print(f"Index at {settings.data_dir}: {report.summary()}.", file=out)
    return 0


def cmd_write_questions(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    from companion.backends.base import load_backend
    from companion.question_writer import write_questions

    backend = load_backend(settings.backend_spec(), settings)
    update, stop = ingest_progress("writing questions for", "sentences")
    try:
        done = write_questions(settings.corpus_dir, settings.prompts_dir, backend, args.essays, update)
    finally:
        stop()
        backend.close()
    for essay in done:
        print(printable(essay.summary()), file=out)
    if any(essay.written for essay in done):
        print("Run `companion ingest` (or start the chat) to read them.", file=out)
    return 0


def cmd_search(settings: Settings, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    if not args.stdin and not " ".join(args.query).strip():
        raise CompanionError("Give a query, e.g. companion search \"the ending\", or use --stdin.")
    if args.k < 1:
        raise CompanionError("-k must be at least 1.")
    retrieval = _open_retrieval(settings, args.retriever)
    for _, query in input_lines(args.query, args.stdin, stdin):
        hits = retrieval.searcher.search(query, args.k)
        if args.json or args.stdin:
            _emit({"query": query, "results": [hit_json(h, n) for n, h in enumerate(hits, start=1)]}, out)
            continue
        # Numbered as listed: a reranked hit keeps the first search's rank and score, and says the chance it was
        # reranked by.
        for position, hit in enumerate(hits, start=1):
            p = hit.passage
            read = f"answers {hit.chance:.2f} · " if hit.chance is not None else ""
            print(f"{position}. [{read}{hit.score:.3f}] {printable(p.byline)} ({p.id})", file=out)
            print(f"   {printable(p.text)}\n", file=out)
    return 0


def _build_engine(settings: Settings):
    from companion.session import open_engine

    update, stop = ingest_progress()
    try:
        engine = open_engine(settings, progress=update)
    finally:
        stop()
    for notice in engine.notices:
        print(f"companion: {notice}", file=sys.stderr)
    return engine


def cmd_ask(settings: Settings, args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from companion.engine import check_question

    questions = input_lines(args.question, args.stdin, stdin)
    if not args.stdin:
        # A bad question is refused before the index and the model are loaded.
        questions = [next(iter(questions))]
        check_question(questions[0][1])
    engine = _build_engine(settings)
    failed = False
    if engine.memory is not None:
        if engine.memory.notice:
            print(f"companion: {engine.memory.notice}", file=sys.stderr)
        engine.memory.touch()
    for where, question in questions:
        engine.history.clear()
        # Standard output carries replies only (one JSON object per --stdin line, so lines stay aligned);
        # every failure is also told on stderr, and the exit status says whether any line failed.
        try:
            reply = engine.ask(question)
        except CompanionError as exc:
            if not args.stdin:
                raise
            failed = True
            print(f"companion: {where}: {printable(str(exc))}", file=sys.stderr)
            _emit({"question": question, "error": str(exc)}, out)
            continue
        if reply.error:
            failed = True
            told = "the reply was cut short" if reply.answer else "no reply"
            print(f"companion: {where + ': ' if args.stdin else ''}{told}: {printable(reply.error)}", file=sys.stderr)
        if args.json or args.stdin:
            _emit(reply_json(reply), out)
            continue
        if reply.answer:
            print(printable(reply.answer), file=out)
        if reply.citations:
            print("\nSources:", file=out)
            for c in reply.citations:
                print(f"  [{c.n}] {printable(c.passage.byline)} ({c.passage.id})", file=out)
    return 1 if failed else 0


def cmd_models(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    from companion.backends.base import backend_status

    chosen = settings.backend_spec().name
    for name in settings.backend_names():
        status = backend_status(settings.backend_spec(name), settings)
        mark = "*" if name == chosen else " "
        state = "ready" if status.ready else f"not ready: {status.reason}"
        model = f", model {status.model}" if status.model else ""
        print(printable(f"{mark} {name} ({status.type}{model}): {state}"), file=out)
    print("\n* = used by default; choose another with --backend NAME or backend = \"NAME\" in the config file.", file=out)
    return 0


def cmd_config(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    from companion.config import describe

    for name, value in describe(settings):
        print(printable(f"{name + ':':<18} {value}"), file=out)
    return 0


def cmd_eval(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    from companion.evaluation import QUESTIONS, evaluate, in_split, load_questions, open_eval
    from companion.evaluation_report import format_table, report_json

    path = args.questions or QUESTIONS
    every = load_questions(path)
    questions = in_split(every, args.split)
    none = sum(not q.answerable for q in questions)
    print(f"{path}: split {args.split}, {len(questions)} of {len(every)} questions "
          f"({len(questions) - none} answerable, {none} not covered)", file=sys.stderr)
    if not questions:
        raise CompanionError(f"No question of {path} falls in the {args.split} split: use --split all.")
    runs = [(name, False) for name in (args.retriever or ["hybrid", "hybrid-rrf", "dense", "bm25"])]
    if args.shuffled:
        runs.append((runs[0][0], True))
    reports = {}
    for retriever, shuffled in runs:
        label = f"{retriever} (shuffled)" if shuffled else retriever
        print(f"measuring {label}…", file=sys.stderr)
        searcher, passages, engine = open_eval(settings, retriever, shuffled=shuffled, answers=not args.no_answers)
        reports[label] = evaluate(questions, searcher, engine, store_passages=passages, name=label, split=args.split)
    if args.json:
        _emit({name: report_json(report) for name, report in reports.items()}, out)
    else:
        print(format_table(reports), file=out)
    return 0


def cmd_memory(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    from companion.memory import FILENAME, Memory
    from companion.memory_commands import CLI, forget, show_memory

    with Memory(settings.data_dir / FILENAME) as memory:
        if memory.notice:
            print(f"companion: {memory.notice}", file=sys.stderr)
        if args.forget_all:
            print(forget(memory, "all", CLI), file=out)
        elif args.forget is not None:
            print(forget(memory, str(args.forget), CLI), file=out)
        else:
            print(show_memory(memory, CLI), file=out)
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    import time

    from companion.export import export_markdown
    from companion.history import History

    with History(settings.data_dir / "conversations.sqlite3") as history:
        if history.notice:
            print(f"companion: {history.notice}", file=sys.stderr)
        if args.list:
            for c in history.conversations():
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(c.updated_at))
                print(printable(f"{c.id:>4}  {when}  {c.turn_count:>3} turns  {c.title}"), file=out)
            return 0
        conversation = history.conversation(args.conversation) if args.conversation else history.latest()
        if conversation is None:
            raise CompanionError("There is no saved conversation yet: chat first (`companion chat`).")
        text = export_markdown(conversation, history.turns(conversation.id))
    if args.output:
        try:
            args.output.write_text(text, "utf-8")
        except OSError as exc:
            raise CompanionError(f"Cannot write {args.output} ({exc.strerror}).") from None
        print(f"Wrote conversation {conversation.id} to {args.output}.", file=sys.stderr)
    else:
        out.write(text)
    return 0


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from companion.tui.app import CompanionApp
    from companion.tui.loader import engine_loader

    from companion.history import History

    settings.backend_spec()
    with History(settings.data_dir / "conversations.sqlite3") as history:
        app = CompanionApp(load_engine=engine_loader(settings), settings=settings, history=history)
        app.run()
    # Textual sets a non-zero code when the window closed on an error; a script must see that it failed.
    return app.return_code or 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, stdin: TextIO | None = None) -> int:
    """Run the command line; errors a person can fix are printed without a traceback."""
    out = out or sys.stdout
    if stdin is None:
        stdin = sys.stdin
        let_bad_bytes_through(stdin)
    go_offline()
    args = _parser().parse_args(argv)
    command = args.command or "chat"
    try:
        settings = _settings(args)
        if command == "ingest":
            return cmd_ingest(settings, args, out)
        if command == "write-questions":
            return cmd_write_questions(settings, args, out)
        if command == "search":
            return cmd_search(settings, args, out, stdin)
        if command == "ask":
            return cmd_ask(settings, args, out, stdin)
        if command == "eval":
            return cmd_eval(settings, args, out)
        if command == "memory":
            return cmd_memory(settings, args, out)
        if command == "export":
            return cmd_export(settings, args, out)
        if command == "models":
            return cmd_models(settings, args, out)
        if command == "config":
            return cmd_config(settings, args, out)
        if command == "serve":
            from companion.serve import serve

            return serve(settings, args, out)
        return cmd_chat(settings, args)
    except CompanionError as exc:
        print(f"companion: {printable(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("companion: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`companion config | head -1`): stop quietly, as other Unix tools do, and keep
        # the interpreter's last flush of stdout from raising again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
