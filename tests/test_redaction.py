"""The one redaction point: keys, pieces of keys and key-shaped tokens masked in text and in streams."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.errors import BackendError
from companion.redaction import MASK, redact, redact_stream

KEY = "sk-test-SECRET-123456"
# Pieces a truncated, masked or split echo of the key would still show.
PIECES = (KEY, "SECRET-123456", "sk-test-SECRET", "test-SECRET-12")


def shows_key(text: str) -> bool:
    """Say whether text holds the key or a recognisable piece of it."""
    return any(piece in text for piece in PIECES)


@pytest.mark.parametrize("text", [
    f"quota exceeded for Bearer {KEY}",
    f"Authorization: Bearer {KEY}\r\n",
    f'{{"error": {{"message": "bad key {KEY}"}}}}',
    "key sk-test-SECRET... was refused",  # truncated echo
    "key ending SECRET-123456 was refused",  # the tail only
    f"{KEY}{KEY}",
])
def test_the_known_key_and_its_pieces_are_masked(text):
    masked = redact(text, [KEY])
    assert not shows_key(masked) and MASK in masked


@pytest.mark.parametrize(("text", "hidden"), [
    ("Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc123 sent", "eyJhbGciOiJIUzI1NiJ9"),
    ("a key sk-proj-abcdefghijklmnop leaked", "abcdefghijklmnop"),
    ("BEARER token12345678", "token12345678"),
])
def test_key_shaped_tokens_are_masked_without_knowing_them(text, hidden):
    masked = redact(text, [])
    assert hidden not in masked and MASK in masked


@pytest.mark.parametrize("text", [
    "He is the bearer of bad news, and risk-taking is her gift.",
    "scikit's sk-learn is short",
    "Bearer shares",
    "Theodore writes letters for other people.",
])
def test_prose_is_left_alone(text):
    assert redact(text, [KEY]) == text


def test_short_or_empty_secrets_are_ignored():
    assert redact("the ending is hopeful", ["the", "", None, "  "]) == "the ending is hopeful"


def test_the_surrounding_text_is_kept():
    assert redact(f"quota exceeded for Bearer {KEY}; try later", [KEY]) == f"quota exceeded for Bearer {MASK}; try later"


def test_every_two_way_and_three_way_split_of_a_stream_is_masked_like_the_whole():
    text = f"The critics agree. quota for Bearer {KEY} and sk-proj-abcdefghijkl, then more words."
    whole = redact(text, [KEY])
    for i in range(len(text) + 1):
        for j in range(i, len(text) + 1):
            assert "".join(redact_stream([text[:i], text[i:j], text[j:]], [KEY])) == whole, (i, j)


@settings(max_examples=300, deadline=None)
@given(
    before=st.text(max_size=40), after=st.text(max_size=40),
    cuts=st.lists(st.integers(min_value=0, max_value=120), max_size=6),
    start=st.integers(min_value=0, max_value=len(KEY) - 8), stop=st.integers(min_value=8, max_value=len(KEY)),
)
def test_no_split_of_any_piece_of_the_key_gets_through(before, after, cuts, start, stop):
    """Hide any piece of 8+ characters of the key, wherever the stream is cut."""
    piece = KEY[start:max(stop, start + 8)]
    text = before + piece + after
    bounds = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    chunks = [text[a:b] for a, b in zip(bounds, bounds[1:])]
    out = "".join(redact_stream(chunks, [KEY]))
    assert piece not in out and MASK in out


def test_ordinary_pieces_go_out_as_they_arrive():
    stream = redact_stream(iter(["Theodore ", "writes ", "letters."]), [KEY])
    assert next(stream) == "Theodore "
    assert next(stream) == "writes "
    assert list(stream) == ["letters."]


def test_a_piece_that_may_begin_a_key_waits_for_the_next():
    pieces = []
    for out in redact_stream(["quota for Bearer sk-te", "st-SECRET-123456 ok"], [KEY]):
        pieces.append(out)
    assert pieces[0] == "quota for " and not shows_key("".join(pieces))


def test_an_error_in_the_source_flushes_the_held_text_first():
    def source():
        yield "Samantha laughs"
        yield f" Bearer {KEY[:10]}"
        raise BackendError("cut")

    seen = []
    with pytest.raises(BackendError):
        for out in redact_stream(source(), [KEY]):
            seen.append(out)
    assert "".join(seen).startswith("Samantha laughs") and not shows_key("".join(seen))


def test_an_endless_token_is_let_go_masked_without_holding_everything():
    stream = redact_stream(iter(["sk-" + "a" * 5000, " end"]), [KEY])
    first = next(stream)
    assert "a" * 100 not in first and MASK in first


def test_with_no_secret_pieces_pass_one_for_one_with_key_shapes_masked():
    pieces = ["s", "k", "a\u2028b", "Bearer abc12345678 ok"]
    assert list(redact_stream(pieces, [None, ""])) == ["s", "k", "a\u2028b", f"Bearer {MASK} ok"]


@pytest.mark.parametrize("secrets", [[KEY], []], ids=["with-a-key", "without"])
def test_closing_the_stream_closes_its_source(secrets):
    closed = []

    def source():
        try:
            while True:
                yield "word "
        finally:
            closed.append(True)

    stream = redact_stream(source(), secrets)
    assert next(stream) == "word "
    stream.close()
    assert closed == [True]
