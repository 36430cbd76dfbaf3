"""Wire form F4's catalog inputs (r-accf5 §5 steps 3-5; r-accwire README "What is missing"). Re-runnable, idempotent:

    .venv/bin/python registry_data/research/r-accwire2/tensorrt_apply.py [--harness-rows] [registry_dir]

Steps 1 and 2 are in the bundled registry (nothing reads them until wiring.patch is applied); step 3
(``--harness-rows``) belongs with wiring.patch (README).

1. hardware ``sm_clock_hz`` [Hz]: the SM clock each NVIDIA datasheet int8 dense peak is quoted at, peak / (SMs x int8
   ops a clock per SM), by r-accwire's ``clocks.py`` (imported: the peaks and their datasheets are the hardware
   catalog's, SMs and ops a clock per SM r-accnode's ``SM_OPS``); ``sm_clock_source_url`` the datasheet of the peak.
   Null on every other part (not derivable: F4 then falls back to the eager form).
2. efficiency_profiles: one "TensorRT" row (NVIDIA's MLPerf Inference harness) stating its framework behaviour only
   (no η: the 'default' rows' apply): the models whose SingleStream engines it replays as CUDA graphs (ResNet-50 and
   BERT, not RetinaNet: closed/NVIDIA/configs/*/SingleStream/__init__.py ``use_graphs``, r-accnode §1) and its BERT
   int8 engine's kernels, 7 a layer + 2 (closed/NVIDIA/code/bert/tensorrt/network.py, r-accnode §2).
3. measurements: the MLPerf Inference rows of that harness re-attributed to "TensorRT" (r-accf5 §5 item 4, r-accf4
   §4 item 3): ResNet-50 / BERT / RetinaNet on NVIDIA GPUs, ``mlperf-inf-*``, framework 'default' - the 8 SingleStream
   ``latency_s`` rows and the 56 offline / server ``samples_per_s`` rows (batch > 1: priced as today, only their
   calibration group moves, with the latency rows). The 3 seed rows name no stack and stay 'default'.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "r-accwire"))
import clocks as ck  # noqa: E402  (r-accwire: sm_clock_hz = int8 peak / (SMs x int8 ops a clock per SM))

from pipeline.catalogs.io import read_catalog, write_catalog  # noqa: E402
from pipeline.catalogs.paths import bundled_registry  # noqa: E402

V41 = "https://github.com/mlcommons/inference_results_v4.1/blob/198fc46799b3328b36ee4bcbdebfa2db5a8e6183/closed/NVIDIA"
TODAY = datetime.date(2026, 12, 6)
FRAMEWORK = "TensorRT"
PROFILE = {
    "source_url": f"{V41}/configs/bert/SingleStream/__init__.py", "last_verified": TODAY,
    "notes": "NVIDIA's MLPerf Inference TensorRT harness (r-accwire2/tensorrt_apply.py). SingleStream configs: "
             "use_graphs = True for bert and resnet50, False for retinanet (v3.0 1948f9b5 and v4.1 198fc46; "
             "r-accnode §1). BERT int8 engine (code/bert/tensorrt/network.py, add_encoder_layer): QKV, attention "
             "output, FC1, FC2 as 1x1 convolutions, fused MHA, two skip-LayerNorms = 7 kernels a layer (GELU fused "
             "into FC1), + embedding-LayerNorm and the SQuAD head = 2 (r-accnode §2). ResNet-50 ~48 kernels "
             "(rn50_graphsurgeon.py): the spec's 50 kept (graph_kernels per CNN layer not stated). No η stated: "
             "the 'default' rows' apply.",
    "source_quality": "primary", "profile": "Inference TensorRT (NVIDIA MLPerf harness)", "workload": "inference",
    "precision": "any", "framework": FRAMEWORK, "hardware_family": "any",
    "source": "NVIDIA MLPerf Inference v4.1 closed submission code (TensorRT harness)",
    "graphed_models": "BERT-Large,ResNet-50", "graph_kernels_per_transformer_layer": 7.0,
    "graph_kernels_per_step": 2.0, "graph_engine_source_url": f"{V41}/code/bert/tensorrt/network.py",
}
HARNESS_MODELS = ["BERT-Large", "ResNet-50", "RetinaNet"]
EXPECTED = {"latency_s": 8, "samples_per_s": 56}  # the SingleStream p90s; the offline / server throughputs


def with_clocks(hardware: pl.DataFrame) -> pl.DataFrame:
    got = ck.clocks(hardware).select(pl.col("hardware").alias("name"), "sm_clock_hz",
                                     pl.col("source_url").alias("sm_clock_source_url"))
    out = hardware.drop("sm_clock_hz", "sm_clock_source_url").join(got, on="name", how="left", maintain_order="left")
    return out.select(*(c for c in hardware.columns if c in out.columns), *(c for c in got.columns
                                                                            if c not in hardware.columns))


def with_profile(profiles: pl.DataFrame) -> pl.DataFrame:
    row = pl.DataFrame([PROFILE]).cast({c: profiles.schema[c] for c in PROFILE})
    return pl.concat([profiles.filter(pl.col("framework") != FRAMEWORK), row], how="diagonal_relaxed")


def harness_rows(measurements: pl.DataFrame, nvidia: list[str]) -> pl.Expr:
    """MLPerf Inference rows of ResNet-50, BERT and RetinaNet on NVIDIA GPUs (closed division: NVIDIA's harness, the
    submitters' own copies of closed/NVIDIA/code) that name no other framework."""
    return (pl.col("name").str.starts_with("mlperf-inf-") & pl.col("model").is_in(HARNESS_MODELS)
            & pl.col("hardware").is_in(nvidia) & pl.col("framework").is_in(["default", FRAMEWORK]))


def reattributed(measurements: pl.DataFrame, hardware: pl.DataFrame) -> pl.DataFrame:
    rows = harness_rows(measurements, hardware.filter(pl.col("vendor") == "NVIDIA")["name"].to_list())
    counts = dict(measurements.filter(rows).group_by("metric").len().iter_rows())
    if counts != EXPECTED:
        raise ValueError(f"measurements: harness rows by metric {counts}, expected {EXPECTED}")
    return measurements.with_columns(framework=pl.when(rows).then(pl.lit(FRAMEWORK)).otherwise("framework"))


def main(registry: Path, harness_rows: bool = False) -> None:
    hardware = read_catalog("hardware", registry)
    steps = [("hardware", with_clocks), ("efficiency_profiles", with_profile)]
    if harness_rows:
        steps.append(("measurements", lambda m: reattributed(m, hardware)))
    for table, change in steps:
        before = read_catalog(table, registry)
        after = change(before)
        if not after.equals(before):
            print(write_catalog(after, table, registry, source=f"{registry}/{table}.parquet (r-accwire2)"))


if __name__ == "__main__":
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    if set(flags) - {"--harness-rows"}:
        raise SystemExit("usage: tensorrt_apply.py [--harness-rows] [registry_dir]")
    rest = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(Path(rest[0]) if rest else bundled_registry(), "--harness-rows" in flags)
