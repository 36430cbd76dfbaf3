"""Properties of the serving study over generated configurations (hypothesis).

Each example is one valid configuration (model, accelerator, precision the chip has, tp
dividing the heads within the scale-up domain, batch, prompt and output lengths within the
model's context), evaluated at two output lengths on three registries: the bundled one, one
with every memory bandwidth doubled and one with every scale-up link bandwidth doubled.

- most valid configurations are feasible (>= 80 %),
- more memory or link bandwidth never makes TTFT, ITL or end-to-end latency longer,
- a longer output (a longer mean decode context) never makes ITL shorter,
- feasible rows have finite, non-negative latencies and throughputs; infeasible rows none.
"""

from __future__ import annotations

import math
import shutil
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import serving_disaggregated
from pipeline.studies import serving_speculative as speculative
from pipeline.studies import single

BUNDLED = Path(__file__).resolve().parents[2] / "registry_data"
MODELS = ["Llama 2 7B", "Llama 3 8B", "Mistral 7B v0.1", "Mixtral 8x7B", "Qwen2.5 7B"]
HARDWARE = ["H100 SXM5 80GB", "A100 SXM4 80GB", "MI300X", "H200 SXM 141GB"]
PRECISIONS = ["fp16", "bf16", "fp8"]
SCALED = {"memory": "memory_bandwidth_bytes_per_s", "link": "scaleup_link_bandwidth_bytes_per_s"}
LATENCIES = ["ttft_s", "itl_s", "e2e_latency_s"]
THROUGHPUTS = ["tokens_per_s", "tokens_per_s_per_device"]
MIN_FEASIBLE_SHARE = 0.8



@cache
def bundled():
    """The bundled catalogs and their rows for the models and accelerators drawn (loaded once)."""
    base = load_catalogs(BUNDLED)
    models = base.models.filter(pl.col("name").is_in(MODELS)).rows_by_key("name", named=True, unique=True)
    hardware = base.hardware.filter(pl.col("name").is_in(HARDWARE)).rows_by_key("name", named=True, unique=True)
    return base, models, hardware


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory) -> dict:
    """The bundled catalogs and two registry copies with one bandwidth doubled, loaded once."""
    out = {"base": bundled()[0]}
    for kind, column in SCALED.items():
        registry = tmp_path_factory.mktemp(f"registry_{kind}")
        shutil.copytree(BUNDLED, registry, dirs_exist_ok=True)
        hardware = read_catalog("hardware", registry)
        write_catalog(hardware.with_columns(pl.col(column) * 2), "hardware", registry)
        out[kind] = load_catalogs(registry)
        doubled = out[kind].hardware.filter(pl.col("name") == "H100 SXM5 80GB")[column].item()
        assert doubled == 2 * bundled()[2]["H100 SXM5 80GB"][column]
    return out


def evaluate(catalogs, config: dict, output_lens: list[int]) -> pl.DataFrame:
    """``config`` at each of ``output_lens`` on loaded catalogs, sorted by output_len: one
    configuration at a time by the single-configuration path (tests/studies/test_single.py shows
    it equals the sweep row in every column), so many generated examples stay cheap."""
    frames = []
    for output_len in output_lens:
        spec = parse_spec({"study": "serving", "axes": {
            "model": [config["model"]], "hardware": [config["hardware"]], "precision": [config["precision"]],
            "batch": [config["batch"]], "tp": [config["tp"]], "prompt_len": [config["prompt_len"]],
            "output_len": [output_len]}})
        answer = single.answer(spec, catalogs)
        assert answer is not None and answer.dropped is None, (config, answer)  # valid configurations only
        frames.append(answer.frame())
    return pl.concat(frames).sort("output_len")


@st.composite
def configurations(draw) -> dict:
    model = draw(st.sampled_from(MODELS))
    hardware = draw(st.sampled_from(HARDWARE))
    hw, m = bundled()[2][hardware], bundled()[1][model]
    precision = draw(st.sampled_from([p for p in PRECISIONS if hw[f"peak_{p}_flop_per_s"] is not None]))
    tp = draw(st.sampled_from([d for d in range(1, hw["scaleup_domain_size"] + 1) if m["n_heads"] % d == 0]))
    batch = draw(st.integers(1, 256))
    output_len = draw(st.integers(1, 1024))
    prompt_len = draw(st.integers(16, min(4096, m["max_context_tokens"] - output_len)))
    return dict(model=model, hardware=hardware, precision=precision, tp=tp, batch=batch,
                prompt_len=prompt_len, output_len=output_len)


def _check_values(frame: pl.DataFrame, label: str) -> None:
    """(c) Feasible rows: every latency, throughput and time term finite and >= 0 (the request's
    latencies and throughputs > 0). Infeasible rows: no latency."""
    times = [c for c in frame.columns if c.endswith("_time_s") or c.endswith("_overhead_s")]
    if not (frame["spec_draft_tokens"] > 0).any():  # no speculation in the space: its columns are null
        times = [c for c in times if c not in speculative.OUTPUTS]
    if not (frame["prefill_workers"] > 0).any():  # no disaggregated row: its columns are null
        times = [c for c in times if c not in serving_disaggregated.NULL_WITHOUT]
    for r in frame.iter_rows(named=True):
        if not r["is_feasible"]:
            assert all(r[c] is None for c in LATENCIES + THROUGHPUTS), (label, r)
            continue
        for c in LATENCIES + THROUGHPUTS:
            assert r[c] is not None and math.isfinite(r[c]) and r[c] > 0, (label, c, r[c])
        for c in times:
            assert r[c] is not None and math.isfinite(r[c]) and r[c] >= 0, (label, c, r[c])


def test_serving_properties_over_generated_configurations(catalogs):
    feasible: list[bool] = []

    @settings(derandomize=True, max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(configurations())
    def check(config):
        ctx = bundled()[1][config["model"]]["max_context_tokens"]
        longer = min(2 * config["output_len"], ctx - config["prompt_len"])
        output_lens = sorted({config["output_len"], longer})
        frames = {kind: evaluate(cat, config, output_lens) for kind, cat in catalogs.items()}
        base = frames["base"]
        feasible.append(bool(base["is_feasible"][0]))
        for kind, frame in frames.items():
            _check_values(frame, kind)

        # (a) doubling a bandwidth changes no memory, and never slows anything down
        for kind in SCALED:
            fast = frames[kind]
            assert fast["is_feasible"].to_list() == base["is_feasible"].to_list(), (kind, config)
            for slow_row, fast_row in zip(base.iter_rows(named=True), fast.iter_rows(named=True), strict=True):
                if not slow_row["is_feasible"]:
                    continue
                for c in LATENCIES:
                    assert fast_row[c] <= slow_row[c], (kind, c, config, slow_row[c], fast_row[c])
                assert fast_row["tokens_per_s"] >= slow_row["tokens_per_s"], (kind, config)

        # (b) a longer output reads a longer mean context: ITL never falls
        if len(output_lens) == 2 and base["is_feasible"].all():
            short, long = base["itl_s"].to_list()
            assert long >= short, (config, output_lens, short, long)

    check()
    assert len(feasible) >= 30
    share = sum(feasible) / len(feasible)
    assert share >= MIN_FEASIBLE_SHARE, f"{share:.0%} of {len(feasible)} valid configurations are feasible"


def test_doubled_bandwidths_reach_the_results(catalogs):
    """The scaled registries are effective: a batch-1 decode gets faster with memory bandwidth
    and, at TP=8, with link bandwidth (so the properties above can fail)."""
    config = dict(model="Llama 3 8B", hardware="H100 SXM5 80GB", precision="fp16", tp=8, batch=1,
                  prompt_len=1024, output_len=128)
    base, memory, link = (evaluate(catalogs[k], config, [128]).row(0, named=True) for k in ("base", "memory", "link"))
    assert memory["decode_attention_class_time_s"] < base["decode_attention_class_time_s"]
    assert memory["itl_s"] < base["itl_s"]
    assert memory["memory_per_device_bytes"] == base["memory_per_device_bytes"]
    assert link["decode_communication_time_s"] < base["decode_communication_time_s"]
    assert link["itl_s"] < base["itl_s"]
