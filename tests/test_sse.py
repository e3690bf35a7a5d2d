"""The SSE parser: events, deltas, usage counts, and its bounds on what a server may send."""

from __future__ import annotations

import pytest

from companion.backends.sse import MAX_LINE_CHARS, Chunk, EventReader, delta_text, iter_events, read_chunk, sse_lines
from companion.errors import BackendError


def test_sse_joins_multiline_data_and_stops_at_done():
    lines = ["data: first", "data: second", "", "data: third", "", "data: [DONE]", "", "data: after"]
    assert list(iter_events(lines)) == ["first\nsecond", "third"]


def test_sse_ignores_comments_and_other_fields():
    lines = [": ping", "event: delta", "id: 3", "retry: 1000", "data:no-space", "", "", ":", "data: x", ""]
    reader = EventReader()
    assert list(reader.events(lines)) == ["no-space", "x"]
    assert not reader.done and reader.stray is None


def test_sse_done_is_seen_without_a_trailing_blank_line():
    reader = EventReader()
    assert list(reader.events(["data: a", "", "data: [DONE]"])) == ["a"]
    assert reader.done


def test_sse_drops_an_event_cut_before_its_blank_line():
    reader = EventReader()
    assert list(reader.events(["data: a", "", 'data: {"choi'])) == ["a"]
    assert not reader.done


def test_sse_tolerates_crlf_endings():
    assert list(iter_events(["data: a\r\n", "\r\n"])) == ["a"]


def test_delta_text_reads_content_and_skips_empty_chunks():
    assert delta_text('{"choices": [{"delta": {"content": "hi"}}]}') == "hi"
    assert delta_text('{"choices": [{"delta": {"content": null}}]}') is None
    assert delta_text('{"choices": [{"delta": {}}]}') is None
    assert delta_text('{"choices": []}') is None


@pytest.mark.parametrize(("payload", "words"), [
    ("{not json", "not JSON"),
    ('{"error": {"message": "boom"}}', "boom"),
    ('{"error": "flat boom"}', "flat boom"),
    ("[1, 2]", "not a JSON object"),
])
def test_delta_text_raises_clear_errors(payload, words):
    with pytest.raises(BackendError, match=words):
        delta_text(payload)


def test_read_chunk_carries_the_servers_count_of_reply_tokens():
    assert read_chunk('{"choices": [{"delta": {"content": "hi"}}], "usage": {"completion_tokens": 7}}') == Chunk("hi", 7)
    assert read_chunk('{"choices": [], "usage": {"total_tokens": 3}}') == Chunk(None, None)
    assert read_chunk('{"choices": [], "usage": {"completion_tokens": true}}').tokens is None
    assert read_chunk('{"choices": [], "usage": {"completion_tokens": -2}}').tokens is None


def test_a_line_that_never_ends_is_refused_past_the_limit():
    with pytest.raises(BackendError, match="line break"):
        list(sse_lines(["x" * (MAX_LINE_CHARS // 2 + 1)] * 3))


def test_an_event_that_never_ends_is_refused_past_the_limit():
    lines = (f"data: {'x' * 1000}" for _ in range(MAX_LINE_CHARS // 500))
    with pytest.raises(BackendError, match="blank line"):
        list(iter_events(lines))
