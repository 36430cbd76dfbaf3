"""LoRA serving's formulas (pipeline.walls.lora) against hand calculations."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.studies.serving import FORMULAS
from pipeline.units import unit

# Llama 3.1 8B (config.json): d = 4096, 32 heads, 8 KV heads of 128, 32 layers; H100 SXM5 fp16 (datasheet):
# 989.5 TFLOP/s dense, 3.35 TB/s. Efficiencies 1 so that the roofline is the hand figure.
LLAMA = {"d_model": ([4096.0], ""), "n_heads": ([32.0], ""), "n_kv_heads": ([8.0], ""), "head_dim": ([128.0], ""),
         "n_layers": ([32.0], ""), "tp": ([1.0], ""), "pp": ([1.0], ""), "bytes_per_element": ([2.0], "B/elem")}
ROOF = {"peak_flop_per_s": ([989.5e12], "FLOP/s"), "eta_compute": ([1.0], ""),
        "memory_bandwidth_bytes_per_s": ([3.35e12], "B/s"), "eta_memory": ([1.0], "")}


def evaluate(outputs: list[str], **columns: tuple[list, str | None]) -> dict[str, list]:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()}, strict=False)
    units = {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()}
    return formulas.plan(frame.lazy(), units, outputs, FORMULAS).frame.collect().to_dict(as_series=False)


def test_adapter_memory_by_hand():
    """sum(d_in + d_out) over W_q, W_k, W_v, W_o = (4096 + 4096) + 2 (4096 + 1024) + (4096 + 4096) = 26,624;
    rank 16: 32 x 16 x 26,624 = 13,631,488 weights per adapter; 100 adapters at 2 B on one device:
    2,726,297,600 B; at tp = 2, pp = 2 a device holds 16 layers' half: a quarter."""
    cols = LLAMA | {"lora_rank": ([16, 16, 0], ""), "lora_adapters": ([100, 100, 100], "")}
    cols = {k: (v * 3 if len(v) == 1 else v, u) for k, (v, u) in cols.items()}
    cols["tp"], cols["pp"] = ([1.0, 2.0, 1.0], ""), ([1.0, 2.0, 1.0], "")
    out = evaluate(["lora_dims_per_layer", "lora_params_per_adapter", "lora_bytes_per_device"], **cols)
    assert out["lora_dims_per_layer"] == [26_624.0] * 3
    assert out["lora_params_per_adapter"] == [13_631_488.0, 13_631_488.0, 0.0]
    assert out["lora_bytes_per_device"] == pytest.approx([2_726_297_600.0, 2_726_297_600.0 / 4, 0.0])


def test_prefill_is_the_lora_flops_and_decode_reads_the_touched_adapters():
    """Prefill of 8 x 4,096 tokens at rank 16: 2 x 32,768 x 16 x 26,624 FLOPs per layer = 27.9 GFLOP,
    x 32 layers / 989.5 TFLOP/s = 0.9025 ms (compute-bound: the 4 adapters' 3.4 MB per layer are read in 1 µs).
    Decode of 8 sequences with 4 resident adapters: 4 x 16 x 26,624 x 2 B = 3,407,872 B per layer,
    x 32 / 3.35 TB/s = 32.55 µs (memory-bound: 6.8 MFLOP per layer is 7 ns)."""
    cols = LLAMA | ROOF | {"lora_rank": ([16], ""), "lora_adapters": ([4], ""), "prefill_tokens": ([32768.0], "tok"),
                          "prefill_sequences": ([8.0], ""), "decode_tokens": ([8.0], "tok"),
                          "decode_sequences": ([8.0], "")}
    out = evaluate(["prefill_lora_time_s", "decode_lora_time_s"], **cols)
    assert out["prefill_lora_time_s"][0] == pytest.approx(2 * 32768 * 16 * 26624 * 32 / 989.5e12)
    assert out["decode_lora_time_s"][0] == pytest.approx(4 * 16 * 26624 * 2 * 32 / 3.35e12)
