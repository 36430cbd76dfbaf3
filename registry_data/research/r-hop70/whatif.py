"""What the model prices of the v4.x -> v5.x config changes (README section 2): the Offline rows of NVIDIA's DGX H100
x8 (v4.1 TP2 -> v5.0 TP1 x PP2) and H200 x8 (v4.0 -> v4.1) copied into a scratch registry with one stated cell
changed at a time (each copy named ``whatif-<base>-<step>``), for ``mlsys validate --registry`` to predict; ``read``
prints each copy's prediction beside its base's measurement. Nothing here is fitted; the copies are not catalog rows.

    .venv/bin/python registry_data/research/r-hop70/whatif.py make OUT_REGISTRY
    .venv/bin/mlsys validate --registry OUT_REGISTRY --out OUT_VALIDATION
    .venv/bin/python registry_data/research/r-hop70/whatif.py read OUT_VALIDATION/validation/<ts>/validation.parquet
    .venv/bin/python registry_data/research/r-hop70/whatif.py generations CATALOG_VALIDATION.parquet
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

REGISTRY = Path(__file__).resolve().parents[2]
# each base row -> the steps, cumulative: (label, the cells changed from the previous step)
BASES = {
    # v4.1 NVIDIA DGX H100 x8 Offline (TP2, budget 4096) stepped to v5.0's layout, budget and output length
    "mlperf-inf-v4.1-nvidia-dgxh100x8-llama2-70b-offline": [
        ("as stated (output_len 290, r-hop70)", {}),
        ("TP1 x PP2 (v5.0)", {"tp": 1, "pp": 2}),
        ("max_num_tokens 1024 (v5.0)", {"max_num_tokens": 1024}),
        ("output_len 292 (v5.0's log)", {"output_len": 292}),
    ],
    # v4.0 NVIDIA H200 x8 Offline (TP1, budget not stored) -> v4.1's budget 4096 and output length
    "mlperf-inf-v4.0-nvidia-h200-sxm-141gbx8_trt-llama2-70b-99.9-offline": [
        ("as stated", {}),
        ("max_num_tokens 4096 (v4.1)", {"max_num_tokens": 4096}),
        ("max_num_tokens 1536 (v5.x)", {"max_num_tokens": 1536}),
    ],
    # v4.1 Dell XE8640 4x H100 SXM (NVIDIA's v4.1 code, TP2) at v5.0's layout and budget
    "mlperf-inf-v4.1-dell-xe8640-h100-sxm-80gbx4-trt-llama2-70b-99-offline": [
        ("as stated", {}),
        ("TP1 x PP2 (v5.0)", {"tp": 1, "pp": 2}),
        ("max_num_tokens 1024 (v5.0)", {"max_num_tokens": 1024}),
    ],
}


def copies(catalog: pl.DataFrame) -> pl.DataFrame:
    out = []
    for base, steps in BASES.items():
        row = catalog.filter(pl.col("name") == base)
        if row.height != 1:
            sys.exit(f"measurements has no single row named {base!r}")
        for i, (_, cells) in enumerate(steps):
            row = row.with_columns(*(pl.lit(v, dtype=catalog.schema[k]).alias(k) for k, v in cells.items()))
            out.append(row.with_columns(pl.lit(f"whatif-{base}-{i}").alias("name")))
    return pl.concat(out)


def make(into: Path) -> None:
    shutil.copytree(REGISTRY, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns("research"))
    catalog = pl.read_parquet(REGISTRY / "measurements.parquet")
    write_catalog(pl.concat([catalog, copies(catalog)]), "measurements", into, source="r-hop70 whatif copies")


def read(validation: Path) -> None:
    v = pl.read_parquet(validation).filter(pl.col("name").str.starts_with("whatif-"))
    for base, steps in BASES.items():
        print(f"\n{base}")
        print("| step | tp x pp | max_num_tokens | output_len | predicted tok/s | vs measured | step change |")
        print("|---|---|---|---|---|---|---|")
        last = None
        for i, (label, _) in enumerate(steps):
            r = v.filter(pl.col("name") == f"whatif-{base}-{i}").row(0, named=True)
            change = "" if last is None or r["predicted"] is None else f"{100 * (r['predicted'] / last - 1):+.1f} %"
            print(f"| {label} | {r['tp']} x {r['pp']} | {r['max_num_tokens']} | {r['output_len']} | "
                  f"{r['predicted']:,.0f} | {r['error_pct']:+.1f} % of {r['measured']:,.0f} | {change} |")
            last = r["predicted"]


# the same system's Offline rows, round by round (NVIDIA's runs; H200 at 700 W TGP unless CTS, 1000 W)
GENERATIONS = {
    "DGX H100 x8": ["mlperf-inf-v4.0-nvidia-dgx-h100_h100-sxm-80gbx8_trt-llama2-70b-99.9-offline",
                    "mlperf-inf-v4.1-nvidia-dgxh100x8-llama2-70b-offline",
                    "mlperf-inf-v5.0-nvidia-dgx-h100_h100-sxm-80gbx8_trt-llama2-70b-99-offline"],
    "H200 x8": ["mlperf-inf-v4.0-nvidia-h200-sxm-141gbx8_trt-llama2-70b-99.9-offline",
                "mlperf-inf-v4.1-nvidia-h200x8-llama2-70b-offline",
                "mlperf-inf-v4.1-nvidia-h200-sxm-141gb-ctsx8-trt-llama2-70b-99-offline",
                "mlperf-inf-v5.0-nvidia-h200-sxm-141gbx8_trt-llama2-70b-99-offline"],
}


def generations(validation: Path) -> None:
    """Each round's measured and predicted tokens/s against the system's first round: the measured gain, the
    model's, and their ratio (the per-token speed-up the model does not price)."""
    v = pl.read_parquet(validation)
    for system, names in GENERATIONS.items():
        print(f"\n{system}\n| run | tp x pp | output_len | measured | predicted | error | measured gain | model gain |"
              " unpriced |\n|---|---|---|---|---|---|---|---|---|")
        first = None
        for name in names:
            r = v.filter(pl.col("name") == name).row(0, named=True)
            first = first or r
            m, p = r["measured"] / first["measured"], r["predicted"] / first["predicted"]
            print(f"| {name.removeprefix('mlperf-inf-')} | {r['tp']} x {r['pp']} | {r['output_len']} | "
                  f"{r['measured']:,.0f} | {r['predicted']:,.0f} | {r['error_pct']:+.1f} % | x{m:.3f} | x{p:.3f} | "
                  f"x{m / p:.3f} |")


if __name__ == "__main__":
    {"make": make, "read": read, "generations": generations}[sys.argv[1]](Path(sys.argv[2]))
