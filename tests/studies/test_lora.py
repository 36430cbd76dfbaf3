"""LoRA serving in the serving study: rank 0 leaves every row (and its config_id) as it was; the
adapters' memory and kernel time enter memory, TTFT and ITL; bad input is named."""

from __future__ import annotations

import pytest

import pipeline
from pipeline.errors import InputError
from pipeline.runs import typed
from tests.serving_rows import H100

ONE = {"model": "Llama 3.1 8B", "hardware": H100, "batch": 8, "prompt_len": 4096, "output_len": 256,
       "breakdown": False}


@pytest.fixture(scope="module")
def rows():
    return {key: pipeline.evaluate_serving(**ONE, lora_rank=key[0], lora_adapters=key[1]).row(0, named=True)
            for key in ((0, 1), (16, 100))}


def test_rank_zero_is_the_row_without_lora_and_keeps_its_config_id(rows):
    assert pipeline.evaluate_serving(**ONE).row(0, named=True) == rows[(0, 1)]
    plain = rows[(0, 1)]
    assert plain["lora_bytes_per_device"] == plain["prefill_lora_time_s"] == plain["decode_lora_time_s"] == 0
    key = {c: plain[c] for c in typed.KEY_AXES["serving"] if not c.startswith("lora_")}
    assert typed.config_id_int(key) == typed.config_id_int(key | {"lora_rank": 0, "lora_adapters": 1})
    assert typed.config_id_int(key) != typed.config_id_int(key | {"lora_rank": 16, "lora_adapters": 100})


def test_adapters_add_their_memory_and_kernel_time(rows):
    plain, lora = rows[(0, 1)], rows[(16, 100)]
    assert lora["lora_bytes_per_device"] == pytest.approx(100 * 32 * 16 * 26_624 * 2)  # tests/walls/test_lora.py
    assert lora["memory_per_device_bytes"] - plain["memory_per_device_bytes"] == pytest.approx(
        lora["lora_bytes_per_device"], rel=1e-9)
    assert lora["ttft_s"] - plain["ttft_s"] == pytest.approx(lora["prefill_lora_time_s"], rel=1e-6)
    assert lora["itl_s"] - plain["itl_s"] == pytest.approx(lora["decode_lora_time_s"], rel=1e-6)
    assert lora["kv_cache_bytes"] == plain["kv_cache_bytes"]


def test_the_sweep_path_agrees_with_the_one_row_answer(rows):
    axes = {"model": [ONE["model"]], "hardware": [H100], "batch": [8], "prompt_len": [4096], "output_len": [256],
            "lora_rank": [16], "lora_adapters": [100]}
    frame = pipeline.sweep({"study": "serving", "axes": axes})
    assert frame["itl_s"].to_list() == pytest.approx([rows[(16, 100)]["itl_s"]], rel=1e-9)


@pytest.mark.parametrize(("given", "key"), [({"lora_rank": -1}, "axes.lora_rank[0]"),
                                            ({"lora_rank": 8, "lora_adapters": 0}, "axes.lora_adapters[0]")])
def test_bad_lora_input_is_named(given, key):
    with pytest.raises(InputError) as err:
        pipeline.evaluate_serving(**ONE, **given)
    assert key in str(err.value)
