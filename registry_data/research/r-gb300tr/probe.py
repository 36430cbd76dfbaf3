"""The training study's compute terms of named measurement rows at the row's own spec
(``pipeline.validation.predict.measurement_spec``, the run's context as r-lorarows/memory_probe.py gives it).
Research only: where the step time of a GB300 / GB200 row goes.

    .venv/bin/python registry_data/research/r-gb300tr/probe.py NAME_SUBSTRING [...]
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline import formulas, runs
from pipeline.studies import training
from pipeline.spec import parse_spec
from pipeline.validation.predict import measurement_spec

REGISTRY = "registry_data"
TERMS = ["step_time_s", "compute_time_per_microbatch_s", "flop_time_per_microbatch_s",
         "elementwise_time_per_microbatch_s", "adapter_time_per_microbatch_s", "eta_compute",
         "train_matmul_eta_compute", "train_backward_matmul_eta_compute", "peak_flop_per_s",
         "attention_peak_flop_per_s", "attention_core_forward_flop_per_sequence",
         "layer_matmul_forward_flop_per_sequence", "layer_forward_flop_per_sequence", "stage_layers", "microbatch",
         "tp", "cp", "recompute", "gemm_units", "attention_ceiling", "attention_s_half", "attention_d_half",
         "efficiency_basis", "weight_gradient_matmuls", "num_microbatches", "n_heads", "fp8_dot_product_attention"]


def terms(name: str) -> list[dict]:
    """Each step_time_s row whose name contains ``name``: its measurement cells and the study's TERMS (first
    predicted row of its spec), or the reason it has none (``why``)."""
    m = pl.read_parquet(f"{REGISTRY}/measurements.parquet").filter(pl.col("name").str.contains(name),
                                                                    pl.col("metric") == "step_time_s")
    out = []
    for r in m.iter_rows(named=True):
        spec, why = measurement_spec({**r, "study": "training"})
        if spec is None:
            out.append({**r, "why": why})
            continue
        spec = {**spec, "overrides": {**spec.get("overrides", {}), "models.max_context_tokens": f"{r['seq_len']} tok"}}
        prepared = runs.prepare(parse_spec(spec, "measurement spec"), REGISTRY)
        frame = prepared.study.build(prepared.space).frame.collect()
        inputs, units = training.inputs(prepared.space)
        wanted = [c for c in TERMS if c in training.FORMULAS or c in units]
        inner = formulas.plan(inputs, units, wanted, training.FORMULAS).frame.collect()
        frame = pl.concat([frame, inner.select(c for c in inner.columns if c not in frame.columns)], how="horizontal")
        out.append({**r, **(frame.row(0, named=True) if frame.height else {"why": "no predicted row"})})
    return out


def probe(name: str) -> None:
    for r in terms(name):
        print(r["name"], "measured", r["value"], r.get("why", ""))
        for c in (c for c in TERMS if c in r):
            print(f"  {c}: {r[c]}")


if __name__ == "__main__":
    for n in sys.argv[1:]:
        probe(n)
