"""registry_data/research/r-mixbits: the 20 NVIDIA v5.0 / ASUSTeK and HPE v5.1 Mixtral 8x7B MLPerf rows whose
submitter's config states AutoQuantize's effective_bits carry it (each cell cites its config line), and replaying
patches.csv (apply.py) onto the catalog as it was before (no column, the v5.0 B200 rows fp4) gives the bundled
catalog; a second run changes nothing."""

from __future__ import annotations

import csv
import runpy
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-mixbits"
COMMITS = {"ntuhpc/mlperf_inference_results_v5.0": "cf354115915ea369f05db424b051da8c5bf957dc",
           "mlcommons/inference_results_v5.1": "965182b03376a00fcae415c54e560e1c83937932"}


def test_each_cell_cites_its_config_line_and_replays_to_the_catalog(tmp_path):
    with open(HERE / "patches.csv", newline="") as f:
        patches = list(csv.DictReader(f))
    bits = {p["name"]: float(p["value"]) for p in patches if p["column"] == "weight_effective_bits"}
    assert len(bits) == 20 and set(bits.values()) == {7.25, 8.75}
    assert all(COMMITS[p["repo"]] == p["commit"] and p["path"].startswith("closed/") and p["path"].endswith(".py")
               and p["source_url"].endswith(f"{p['path']}#L{int(p['line'])}") for p in patches)
    v60 = pl.col("name").str.starts_with("mlperf-inf-v6.0-")  # r-v60's rows state their own configs' bits
    bundled = pl.read_parquet(HERE.parents[1] / "measurements.parquet").filter(~v60)
    b200 = pl.col("name").is_in([p["name"] for p in patches if p["column"] == "compute_dtype"])
    assert bundled.filter(b200).height == 4
    before = bundled.drop("weight_effective_bits").with_columns(
        pl.when(b200).then(pl.lit("fp4")).otherwise(pl.col(c)).alias(c) for c in ("compute_dtype", "weight_dtype"))
    before.write_parquet(tmp_path / "measurements.parquet")
    main = runpy.run_path(str(HERE / "apply.py"))["main"]
    main(tmp_path)
    replayed = pl.read_parquet(tmp_path / "measurements.parquet")
    assert replayed.select(bundled.columns).equals(bundled)
    assert dict(replayed.filter(pl.col("weight_effective_bits").is_not_null()).select(
        "name", "weight_effective_bits").iter_rows()) == bits
    main(tmp_path)
    assert pl.read_parquet(tmp_path / "measurements.parquet").equals(replayed)
