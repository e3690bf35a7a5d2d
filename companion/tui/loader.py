"""Build the engine off the UI thread, telling the window what is happening."""

from __future__ import annotations

from collections.abc import Callable

from companion.config import Settings
from companion.engine import Engine

Status = Callable[[str], None]
EngineLoader = Callable[[Status], Engine]


def engine_loader(settings: Settings) -> EngineLoader:
    """Return a function that opens the index, loads the models and returns a ready engine."""

    def load(status: Status) -> Engine:
        from companion.session import open_engine

        return open_engine(
            settings,
            progress=lambda done, total, _title: status(f"reading the essays… {done}/{total} passages"),
            status=status,
        )

    return load
