"""Wall 6 (pipeline.walls.streaming): weights streamed over the host link."""

from __future__ import annotations

import pytest

from tests.serving_rows import H100, L70, finite_positive, row


def test_weight_streaming_makes_llama2_70b_feasible_on_one_h100():
    r = row(model=L70, hardware=H100, tp=1, prompt_len=1536, output_len=512, weight_streaming=True)
    # the rest (KV cache, activations, reserve) fits: headroom without the weights is >= 0
    rest = r["kv_cache_bytes_per_device"] + r["activation_bytes_per_device"] + r["memory_reserve_bytes"]
    assert rest <= 80e9
    assert r["fits_in_hbm"] is False
    assert r["weight_streaming"] is True and r["is_feasible"] is True
    assert r["weight_stream_time_s"] > 0
    assert r["weight_stream_time_s"] == pytest.approx(r["weights_per_device_bytes"] / 64e9)  # PCIe 5 x16
    assert r["bound"] == "host link"
    assert finite_positive(r["ttft_s"]) and finite_positive(r["itl_s"])
    assert r["itl_s"] >= r["weight_stream_time_s"]


def test_weight_streaming_is_refused_when_the_kv_cache_does_not_fit():
    """Batch 256 at 2,048 tokens: a 171.8 GB KV cache alone exceeds 80 GB; streaming cannot help."""
    r = row(model=L70, hardware=H100, tp=1, batch=256, prompt_len=1536, output_len=512, weight_streaming=True)
    assert r["kv_cache_bytes_per_device"] == 256 * 671_088_640
    assert r["weight_streaming"] is False and r["is_feasible"] is False
    assert r["weight_stream_time_s"] == 0
    assert r["itl_s"] is None and r["ttft_s"] is None
    assert r["bound"] == "capacity"
