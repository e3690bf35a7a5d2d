"""`companion serve`: the chat as a web page, one `companion chat` process per browser tab (textual-serve)."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import shlex
import sys

from companion.config import Settings
from companion.errors import CompanionError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TITLE = "companion: talking about Her"
# Seconds Ctrl+C waits for the open tabs' chats to quit: each saves its turn within 2 s (tui.app.QUIT_WAIT).
STOP_WAIT = 5.0

HELP = """\
Serve the chat as a web page (textual-serve). Each browser tab runs its own `companion chat`
process with these settings, over the same data dir, history and memory. The embedded index
has one owner at a time, so a second tab (or a terminal chat) says the index is already in use
until the first is closed; with --chroma-url every tab shares a Chroma server and any number
can be open. The page has no login: it listens on 127.0.0.1 unless --allow-remote is given."""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1-65535, not {port}")
    return port


def add_parser(sub, parents: list[argparse.ArgumentParser]) -> None:
    """Add the `serve` command and its options to the command line."""
    serve = sub.add_parser(
        "serve", parents=parents, help="open the chat in a web browser (one chat process per tab)",
        description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST}, this machine only)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    serve.add_argument("--allow-remote", action="store_true",
                       help="allow a --host other machines can reach; anyone who can reach it can chat and read your history")
    serve.add_argument("--public-url", help="the address browsers use to reach this server, when it differs "
                                            "(a proxy, or --host 0.0.0.0); default http://HOST:PORT")


def is_loopback(host: str) -> bool:
    """Return whether only this machine can reach an address."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def chat_command(settings: Settings) -> str:
    """Return the shell command that runs one chat with these settings, each value quoted."""
    words = [sys.executable, "-m", "companion", "chat",
             "--data-dir", str(settings.data_dir.resolve()),
             "--corpus", str(settings.corpus_dir.resolve()),
             "--prompts", str(settings.prompts_dir.resolve())]
    if settings.config_file is not None and settings.config_file.exists():
        words += ["--config", str(settings.config_file.resolve())]
    for flag, value in (("--embedding-model", settings.embedding_model), ("--chroma-url", settings.chroma_url),
                        ("--backend", settings.backend), ("--model", settings.model), ("--base-url", settings.base_url)):
        if value is not None:
            words += [flag, value]
    return shlex.join(words)


def check_host(host: str, allow_remote: bool) -> str | None:
    """Refuse an address other machines reach unless allowed; return the warning to print when allowed."""
    if is_loopback(host):
        return None
    if not allow_remote:
        raise CompanionError(
            f"{host} can be reached from other machines, and the chat has no login: anyone reaching it could chat "
            f"and read your conversations. Use the default --host {DEFAULT_HOST}, or add --allow-remote if you mean it."
        )
    return (f"warning: serving on {host}, reachable from other machines; the chat has no login, so anyone who "
            "reaches it can chat and read your conversations and memory.")


def serve(settings: Settings, args: argparse.Namespace, out) -> int:
    """Serve the chat until Ctrl+C."""
    warning = check_host(args.host, args.allow_remote)
    settings.backend_spec()
    import textual_serve.server
    from textual_serve.server import Server

    command = chat_command(settings)
    url = args.public_url or f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}"

    tabs: set[asyncio.Task] = set()
    chats: set[asyncio.subprocess.Process] = set()

    class ChatServer(Server):
        def initialize_logging(self) -> None:
            # Problems only: textual-serve would log every request of every tab.
            logging.basicConfig(level=logging.WARNING, format="companion serve: %(message)s")

        async def handle_websocket(self, request):
            tab = asyncio.current_task()
            tabs.add(tab)
            try:
                return await super().handle_websocket(request)
            finally:
                tabs.discard(tab)

        async def on_shutdown(self, app) -> None:
            # Each tab's chat is told to quit, and waited for, before the loop closes; else Ctrl+C waits for the
            # browsers' heartbeat, and a chat still running when the loop closes ends in a traceback.
            for tab in tabs:
                tab.cancel()
            if tabs:
                await asyncio.wait(set(tabs), timeout=STOP_WAIT)
            for chat in chats:
                await _reap(chat)

        async def on_startup(self, app) -> None:
            if warning:
                print(f"companion: {warning}", file=sys.stderr)
            sharing = ("every tab shares the Chroma server" if settings.chroma_url else
                       "the index has one owner, so close a tab before opening another")
            print(f"Serving the chat at {url} (each browser tab runs its own chat; {sharing}). "
                  "Ctrl+C stops.", file=out, flush=True)

    server = ChatServer(command, host=args.host, port=args.port, title=TITLE, public_url=url)
    # textual-serve never waits for a tab's process to end, so one still quitting when the loop closes left
    # an orphaned chat holding the index and a traceback on stderr: every chat process is recorded to reap it.
    textual_serve.server.AppService = _reaped_service(chats)
    try:
        server.serve()
    except OSError as exc:
        raise CompanionError(f"Cannot listen on {args.host}:{args.port} ({exc.strerror or exc}): "
                             "choose another --port, or stop what is using it.") from None
    return 0


def _reaped_service(chats: set[asyncio.subprocess.Process]):
    """Return textual-serve's AppService, recording each chat process it starts in ``chats``."""
    from textual_serve.app_service import AppService

    class ReapedService(AppService):
        async def _open_app_process(self, width: int = 80, height: int = 24):
            process = await super()._open_app_process(width, height)
            chats.add(process)
            return process

    return ReapedService


async def _reap(chat: asyncio.subprocess.Process) -> None:
    """Wait a bounded time for a chat process to end, then kill it, so none outlives the server."""
    try:
        await asyncio.wait_for(chat.wait(), timeout=STOP_WAIT)
    except TimeoutError:
        chat.kill()
        await chat.wait()
