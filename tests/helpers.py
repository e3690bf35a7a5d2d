"""Helpers several tests share: loopback ports, waiting for a server, installing a plugin, reading a refusal."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import httpx

PLUGINS = Path(__file__).parent / "fixtures" / "plugin"


def free_port() -> int:
    """Return a loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60.0, process=None) -> bool:
    """Poll a URL until it answers 200; False if it never does or the process dies first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.1)
    return False


def install_plugin(site: Path, module: str, entry: str) -> Path:
    """Lay out a fixture backend as pip would install it, under ``site`` (put it on sys.path or PYTHONPATH)."""
    site.mkdir(parents=True, exist_ok=True)
    shutil.copy(PLUGINS / f"{module}.py", site / f"{module}.py")
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    name = module.replace("_", "-")
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", "utf-8")
    (info / "entry_points.txt").write_text(f"[companion.backends]\n{entry} = {module}:create\n", "utf-8")
    return site


def says_none_gives(reply, prompts, detail: str) -> bool:
    """Tell whether a reply cites nothing and says, in one of prompts/no_detail.md's lines, that no essay gives the detail."""
    return not reply.citations and reply.answer in [line.format(detail=detail) for line in prompts.variants["no_detail"]]
