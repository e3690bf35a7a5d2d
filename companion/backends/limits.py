"""How long and how much an HTTP backend waits and reads: retries, backoff, Retry-After, reply budgets."""

from __future__ import annotations

import email.utils
import time

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_START = 0.5
BACKOFF_CAP = 8.0
# Longer waits than this are better left to the person than spent frozen in a chat turn.
MAX_RETRY_AFTER = 30.0
# The longest one reply may stream, from its first byte; a profile's deadline overrides it.
DEFAULT_DEADLINE = 300.0
# English runs about 4 characters a token; twice that, plus slack, is more than any real reply of max_tokens.
CHARS_PER_TOKEN = 8
BUDGET_SLACK = 200


def backoff(attempt: int) -> float:
    """Return the wait before retry number ``attempt + 1``: 0.5 s doubling up to 8 s."""
    return min(BACKOFF_START * 2**attempt, BACKOFF_CAP)


def char_budget(max_tokens: int) -> int:
    """Return the characters a reply of max_tokens cannot honestly exceed."""
    return max_tokens * CHARS_PER_TOKEN + BUDGET_SLACK


def overrun(max_tokens: int, chars: int, tokens: int | None) -> str | None:
    """Say how a reply went past max_tokens (by the server's own count when it reports one), or None."""
    if tokens is not None:
        return f"the server counted {tokens} tokens" if tokens > max_tokens else None
    return f"{chars:,} characters" if chars > char_budget(max_tokens) else None


def retry_after(value: str | None) -> float | None:
    """Return the seconds a Retry-After header asks for, or None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
