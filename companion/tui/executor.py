"""Threads for the app's workers that quitting never waits on, so a backend hung past its timeout cannot hold the process."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor


class LeavableExecutor(ThreadPoolExecutor):
    """Run each call on its own daemon thread; shutting down leaves running calls to end with the process.

    Textual runs thread workers on the event loop's default executor. The standard one is joined when the
    loop closes and again at interpreter exit, so one worker stuck in a hung index or model server would
    keep `companion chat` alive long after its window closed. By then the window has saved what arrived.
    """

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="companion")
        self._closed = False

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self._closed:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to whoever awaits the future, as the standard executor does
                future.set_exception(exc)

        threading.Thread(target=run, name=self._thread_name_prefix, daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Start nothing more; calls still running are not waited for."""
        self._closed = True
        super().shutdown(wait=False, cancel_futures=cancel_futures)
