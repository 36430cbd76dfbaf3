"""State the layout the submitters' own configs give on the MLPerf Inference v4.1 Llama 2 70B and Mixtral 8x7B rows
that leave it unstated (H100 SXM, H100 NVL, H200): ``tp`` on every row of the system, and on its Server rows the
engine's max batch (``batch``: the Server config's gpu_batch_size, which serving_rows.load_axes reads as the cap of the
in-flight batch under a request rate). Offline rows keep ``batch`` null: the Offline gpu_batch_size is a cap too, but a
stated batch on an offline row is run exactly (serving_rows.serving_spec), and the model already takes the best batch
that fits.

Sources (mlcommons/inference_results_v4.1 @198fc46799b3328b36ee4bcbdebfa2db5a8e6183, read with the fetch tool):
the Server classes' ``tensor_parallelism`` and ``gpu_batch_size`` (Offline: ``tensor_parallelism``, same in every
case below), per submitter (``SOURCES``).

NOT APPLIED to registry_data/measurements.parquet (registry_data/research/r-offline2/README.md: with the stated
layout the Server ITL / TTFT rows get worse, for want of the per-token cost term the Offline rows show missing).
Run on a copy to measure it:

    cp -r registry_data /tmp/offline-reg && .venv/bin/python registry_data/research/r-offline2/state_layouts.py \
        /tmp/offline-reg && .venv/bin/mlsys validate --registry /tmp/offline-reg --out /tmp/offline-val-layouts
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

REPO = "https://github.com/mlcommons/inference_results_v4.1/blob/198fc46799b3328b36ee4bcbdebfa2db5a8e6183/closed/"
# row-name pattern -> (tp, Server gpu_batch_size, the Server config class it comes from)
SOURCES = {
    r"dell-xe8640-h100-sxm-80gbx4-trt-llama2-70b-99": (
        2, 1024, "Dell/configs/llama2-70b/Server/custom.py XE8640_H100_SXM_80GBx4"),
    r"junipernetworks-dgx-h100-h100-sxm-80gbx(16|32)-trt-llama2-70b-99": (
        2, 1024, "JuniperNetworks/configs/llama2-70b/Server/__init__.py H100_SXM_80GB_TP2x1"),
    r"nvidia-dgx-h100-h100-sxm-80gbx8-trt-llama2-70b-99": (
        2, 1024, "NVIDIA/configs/llama2-70b/Server/__init__.py H100_SXM_80GB_TP2x1"),
    r"lenovo-sr675-v3-8xh100-nvl-trt-llama2-70b-99": (
        2, 640, "Lenovo/configs/llama2-70b/Server/__init__.py H100_NVL_94GB_TP2x1"),
    r"asustek-esc4000a-e12-4xh100-trt-llama2-70b-99": (
        2, 640, "ASUSTeK/configs/llama2-70b/Server/custom.py ESC4000A_E12_4XH100"),
    r"nvidia-h200-sxm-141gb-ctsx1-trt-llama2-70b-99": (
        1, 850, "NVIDIA/configs/llama2-70b/Server/__init__.py H200_SXM_141GB_CTSx1"),
    r"nvidia-h200-sxm-141gb-ctsx8-trt-llama2-70b-99": (
        1, 1024, "NVIDIA/configs/llama2-70b/Server/__init__.py H200_SXM_141GB_CTSx8"),
    r"dell-xe8640-h100-sxm-80gbx4-trt-mixtral-8x7b": (
        1, 896, "Dell/configs/mixtral-8x7b/Server/custom.py XE8640_H100_SXM_80GBx4"),
    r"nvidia-dgx-h100-h100-sxm-80gbx8-trt-mixtral-8x7b": (
        1, 896, "NVIDIA/configs/mixtral-8x7b/Server/__init__.py H100_SXM_80GBx1"),
    r"nvidia-h200-sxm-141gbx8-trt-mixtral-8x7b": (
        1, 1200, "NVIDIA/configs/mixtral-8x7b/Server/__init__.py H200_SXM_141GBx1"),
}
PREFIX = "mlperf-inf-v4.1-"


def stated(measurements: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """The rows with their configs' tp (where null) and Server batch cap (where null); a row a pattern names that
    already states another tp is an error."""
    rows, changed = [], 0
    for r in measurements.iter_rows(named=True):
        for pattern, (tp, server_batch, where) in SOURCES.items():
            if not re.fullmatch(PREFIX + pattern + r"-(offline|server)(-tpot-mean|-ttft-p50)?", r["name"]):
                continue
            if r["tp"] not in (None, tp):
                raise ValueError(f"measurements row {r['name']!r}: tp {r['tp']}, its config ({where}) {tp}")
            before = (r["tp"], r["batch"])
            r["tp"] = tp
            if r["scenario"] == "server" and r["batch"] is None:
                r["batch"] = server_batch
            if before != (r["tp"], r["batch"]):
                changed += 1
                cap = f", Server gpu_batch_size {server_batch}" if r["scenario"] == "server" else ""
                r["notes"] = (r["notes"] or "") + f" [layout: tp {tp}{cap}: {REPO}{where}]"
        rows.append(r)
    return pl.DataFrame(rows, schema=measurements.schema), changed


def main(registry: Path) -> None:
    measurements, changed = stated(read_catalog("measurements", registry))
    print(f"{changed} rows given their configs' layout")
    print(write_catalog(measurements, "measurements", registry, source="r-offline2/state_layouts.py"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2])
