"""State the Server layout of NVIDIA's MLPerf Inference v5.0 Llama 3.1 405B runs (B200 x8, GB200 NVL72 x72 Triton,
H200 x8), which r-v50 left unstated for want of NVIDIA's v5.0 config, on the Server rows of a registry COPY: ``tp``,
``pp`` and ``batch`` (the engine's gpu_batch_size / runtime max_batch_size, which serving_rows.load_axes reads as the
cap of the in-flight batch under a request rate). The row's runtime max_num_tokens (1,024 / 2,560) has no measurements
column, so it is not stated (r-srvpart/README.md §2).

Source: mlcommons/inference_results_v5.1 @965182b03376a00fcae415c54e560e1c83937932, closed/Cisco/configs/
llama3_1-405b/Server/__init__.py (header "Copyright (c) 2025, NVIDIA CORPORATION", NVIDIA's class-style config that
Cisco reused): ``B200_SXM_180GB_TP2PP2x2`` (tp 2, pp 2, gpu_batch_size 128, runtime max_num_tokens 1024,
server_target_qps 0.65 x 2 = 1.30 = the v5.0 B200 log's scheduled rate), ``GB200_NVL_186GB_ARM_TP2PP2x18_Triton``
(the same engine, 0.75 x 18 = 13.5; the v5.0 log: 13.51, a Triton run), ``H200_SXM_141GBx8_TP8PP1`` (tp 8, runtime
max_batch_size 64, max_num_tokens 2560, qps 0.42 where the v5.0 log schedules 0.45: the weakest match).

NOT APPLIED to registry_data/measurements.parquet (not this helper's file; the figures are in the README). Run:

    cp -r registry_data /tmp/srvpart-reg && .venv/bin/python registry_data/research/r-srvpart/state_layouts.py \
        /tmp/srvpart-reg && .venv/bin/mlsys validate --registry /tmp/srvpart-reg --out /tmp/srvpart-val1
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

CONFIG = ("https://github.com/mlcommons/inference_results_v5.1/blob/965182b03376a00fcae415c54e560e1c83937932/closed/"
          "Cisco/configs/llama3_1-405b/Server/__init__.py")
PREFIX = "mlperf-inf-v5.0-nvidia-"
# system part of the row name -> tp, pp, batch cap, the config class
LAYOUTS = {
    "b200-sxm-180gbx8_trt": (2, 2, 128, "B200_SXM_180GB_TP2PP2x2"),
    "gb200-nvl72_gb200-186gb_aarch64x72_trt_triton": (2, 2, 128, "GB200_NVL_186GB_ARM_TP2PP2x18_Triton"),
    "h200-sxm-141gbx8_trt": (8, 1, 64, "H200_SXM_141GBx8_TP8PP1"),
}
SUFFIXES = ("-server", "-server-ttft-p50", "-server-tpot-mean")


def stated(measurements: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """The v5.0 405B Server rows with their config's layout; a row that already states another is an error."""
    rows, changed = [], 0
    for r in measurements.iter_rows(named=True):
        for system, (tp, pp, batch, where) in LAYOUTS.items():
            if r["name"] not in {f"{PREFIX}{system}-llama3_1-405b{s}" for s in SUFFIXES}:
                continue
            for column, value in (("tp", tp), ("pp", pp), ("batch", batch)):
                if r[column] not in (None, value):
                    raise ValueError(f"measurements row {r['name']!r}: {column} {r[column]}, its config ({where}) "
                                     f"{value}")
            if (r["tp"], r["pp"], r["batch"]) != (tp, pp, batch):
                changed += 1
                r["tp"], r["pp"], r["batch"] = tp, pp, batch
                r["notes"] = (r["notes"] or "") + f" [layout: tp {tp} x pp {pp}, batch cap {batch}: {CONFIG} {where}]"
        rows.append(r)
    return pl.DataFrame(rows, schema=measurements.schema), changed


def main(registry: Path) -> None:
    if registry.resolve() == Path(__file__).parents[2].resolve():
        raise SystemExit("state_layouts.py writes a registry copy only (r-srvpart/README.md): give its path")
    measurements, changed = stated(read_catalog("measurements", registry))
    print(f"{changed} rows given their config's layout")
    print(write_catalog(measurements, "measurements", registry, source="r-srvpart/state_layouts.py"))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
