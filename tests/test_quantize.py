"""Converting the shipped model's weights once for faster prompts, without changing what it says."""

from __future__ import annotations

import os
import shutil

import pytest

from companion.backends.llamacpp import SHIPPED_QUANTIZE, create, shipped_model_path
from companion.backends.quantize import AS_IS, TYPES, converted_path, ensure_converted
from companion.config import QUANTIZE_CHOICES, BackendSpec, load_settings
from companion.errors import BackendError
from tests.conftest import CORPUS, needs_llama

pytestmark = needs_llama


@pytest.fixture
def source(tmp_path):
    """Return a private copy of the shipped model, so its timestamps can be changed."""
    copy = tmp_path / "src" / "tiny.gguf"
    copy.parent.mkdir()
    shutil.copy2(shipped_model_path(), copy)
    return copy


def test_a_model_is_converted_once_and_again_only_when_it_changes(source, tmp_path):
    cache = tmp_path / "models"
    first = ensure_converted(source, "q8_0", cache)
    assert first == converted_path(source, "q8_0", cache) and first.is_file()
    assert first.stat().st_size > source.stat().st_size  # 8-bit weights take more room than 4-bit ones
    made = first.stat().st_mtime_ns

    assert ensure_converted(source, "q8_0", cache) == first
    assert first.stat().st_mtime_ns == made

    os.utime(source, ns=(made + 10**9, made + 10**9))
    assert ensure_converted(source, "q8_0", cache) == first
    assert first.stat().st_mtime_ns != made
    assert sorted(p.name for p in cache.iterdir()) == [first.name, first.with_suffix(".json").name]
    assert first.name.startswith("tiny-") and first.name.endswith(".q8_0.gguf")


def test_two_models_with_one_file_name_get_a_copy_each(source, tmp_path):
    twin = tmp_path / "elsewhere" / source.name
    twin.parent.mkdir()
    shutil.copy2(source, twin)
    cache = tmp_path / "models"
    mine, theirs = ensure_converted(source, "q8_0", cache), ensure_converted(twin, "q8_0", cache)
    assert mine != theirs
    made = mine.stat().st_mtime_ns
    assert ensure_converted(source, "q8_0", cache) == mine and mine.stat().st_mtime_ns == made


def test_a_damaged_stamp_means_converting_again(source, tmp_path):
    cache = tmp_path / "models"
    target = ensure_converted(source, "q8_0", cache)
    target.with_suffix(".json").write_text("{not json", "utf-8")
    target.write_bytes(b"half a file")
    assert ensure_converted(source, "q8_0", cache) == target
    assert target.stat().st_size > 1000


def test_every_type_the_config_accepts_can_be_converted_to():
    assert set(QUANTIZE_CHOICES) == set(TYPES) | {AS_IS}


def test_as_is_uses_the_file_unchanged(source, tmp_path):
    assert ensure_converted(source, AS_IS, tmp_path / "models") == source
    assert not (tmp_path / "models").exists()


def test_a_file_that_is_not_a_model_is_explained_and_leaves_nothing_behind(tmp_path):
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"GGUF but not really" * 10)
    cache = tmp_path / "models"
    with pytest.raises(BackendError, match='Cannot convert fake.gguf to q8_0.*quantize = "as-is"'):
        ensure_converted(fake, "q8_0", cache)
    assert list(cache.iterdir()) == []


def test_an_unwritable_cache_is_explained(source, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the directory should be", "utf-8")
    with pytest.raises(BackendError, match=f'Cannot write the converted model to {blocked}.*quantize = "as-is"'):
        ensure_converted(source, "q8_0", blocked)


def test_the_shipped_model_runs_converted_and_a_users_model_as_is(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data")
    shipped = create(BackendSpec(name="llama-cpp", type="llama-cpp"), settings)
    assert shipped.quantize == SHIPPED_QUANTIZE and shipped.flash_attn is True
    assert shipped.weights() == converted_path(shipped_model_path(), "q8_0", tmp_path / "data" / "models")
    assert shipped.weights().is_file()
    assert shipped.model == "SmolLM2-135M-Instruct.Q4_1"

    mine = create(BackendSpec(name="mine", type="llama-cpp", model=str(shipped_model_path())), settings)
    assert mine.quantize == SHIPPED_QUANTIZE  # the same file, wherever the path came from
    other = tmp_path / "other.gguf"
    shutil.copy2(shipped_model_path(), other)
    theirs = create(BackendSpec(name="theirs", type="llama-cpp", model=str(other)), settings)
    assert theirs.quantize == AS_IS and theirs.weights() == other
    chosen = create(BackendSpec(name="theirs", type="llama-cpp", model=str(other), quantize="q8_0"), settings)
    assert chosen.weights().name.startswith("other-") and chosen.weights().name.endswith(".q8_0.gguf")


def test_the_converted_model_predicts_the_same_next_tokens(tmp_path):
    """Teacher-force an essay passage through both files and compare every next-token choice."""
    import numpy as np
    from llama_cpp import Llama

    text = (CORPUS / "her-2013.md").read_text("utf-8")[:1500]
    converted = ensure_converted(shipped_model_path(), SHIPPED_QUANTIZE, tmp_path)
    choices = []
    for path, flash in ((shipped_model_path(), False), (converted, True)):
        llm = Llama(model_path=str(path), n_ctx=1024, n_threads=2, logits_all=True, flash_attn=flash, verbose=False)
        tokens = llm.tokenize(text.encode())[:300]
        llm.eval(tokens)
        choices.append(np.argmax(llm.scores[: len(tokens)], axis=1))
        llm.close()
    agreement = float(np.mean(choices[0] == choices[1]))
    assert len(choices[0]) == 300 and agreement >= 0.9, agreement
