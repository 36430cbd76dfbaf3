"""registry_data/research/r-v50: the MLPerf Inference v5.0 rows are the logs' own figures (checked by hand against
the quoted lines), cite a pinned commit, and a second run of add_rows.py changes nothing."""

from __future__ import annotations

import datetime
import runpy
import shutil
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-v50"


def _rows() -> pl.DataFrame:
    return read_catalog("measurements").filter(pl.col("name").str.starts_with("mlperf-inf-v5.0-"))


def test_the_rows_are_the_logs_figures():
    rows = _rows()
    later = pl.concat([pl.read_csv(HERE.parent / f / "cells.csv").select("name") for f in ("r-h70sat", "r-hop70")])
    h70sat = pl.col("name").is_in(later["name"].implode())
    verified = rows.select(pl.when(h70sat).then(datetime.date(2026, 12, 7)).otherwise(datetime.date(2026, 12, 6)))
    assert rows.height == 48 and (rows["last_verified"] == verified.to_series()).all()  # r-h70sat, r-hop70: the 7th
    assert rows["source_url"].str.contains("/blob/cf354115915ea369f05db424b051da8c5bf957dc/closed/").all()
    b200 = {r["metric"]: r for r in rows.filter(pl.col("name").str.contains(
        "b200-sxm-180gbx8_trt-llama2-70b-interactive-99-server")).iter_rows(named=True)}
    # the log's lines 8, 37, 46: 'Completed tokens per second: 59409.25', '... first token latency (ns) : 74019350',
    # 'Mean Time to Output Token (ns) : 36129344'; 59409.25 tok/s / 217.93 samples/s = 272.6 tokens per sample
    assert b200["tokens_per_s"]["value"] == 59409.25 and b200["tokens_per_s"]["request_rate"] == 220.51
    assert (b200["ttft_s"]["value"], b200["ttft_s"]["unit"], b200["ttft_s"]["statistic"]) == (74.01935, "ms", "p50")
    assert b200["itl_s"]["value"] == 36.129344 and b200["itl_s"]["statistic"] == "mean"
    assert {r["output_len"] for r in b200.values()} == {273}
    offline = rows.filter(pl.col("name").str.contains("dgx-h100_h100-sxm-80gbx8_trt-llama2-70b-99-offline")).row(
        0, named=True)  # 'Tokens per second: 31306.8' / 'Samples per second: 107.256' = 291.9; config TP1 PP2
    assert (offline["value"], offline["output_len"], offline["tp"], offline["pp"]) == (31306.8, 292, 1, 2)
    own = rows.filter(pl.col("max_num_tokens").is_null())  # r-chunkctx states two 405B Server runs' config, r-hop70
    laid_out = own.filter(pl.col("tp").is_not_null())  # the Hopper 70B Offline budgets: AMD's data_parallel_size=8
    assert sorted(laid_out["hardware"].unique()) == ["MI325X"] and own["batch"].is_null().all()
    assert offline["max_num_tokens"] == 1024  # r-hop70: the Offline config's L103 runtime 'max_num_tokens': 1024


def test_a_second_run_changes_nothing(tmp_path):
    registry = HERE.parents[1]
    for f in registry.glob("*.parquet"):
        shutil.copy(f, tmp_path / f.name)
    add_rows = script(HERE / "add_rows.py", "add_rows_v50")
    add_rows.REGISTRY = tmp_path
    add_rows.main()
    assert pl.read_parquet(tmp_path / "measurements.parquet").equals(pl.read_parquet(registry / "measurements.parquet"))


def test_without_the_rows_the_script_adds_exactly_them(tmp_path):
    registry = HERE.parents[1]
    for f in registry.glob("*.parquet"):
        shutil.copy(f, tmp_path / f.name)
    bundled = read_catalog("measurements")
    write_catalog(bundled.filter(~pl.col("name").str.starts_with("mlperf-inf-v5.0-")), "measurements", tmp_path)
    add_rows = script(HERE / "add_rows.py", "add_rows_v50_fresh")
    add_rows.REGISTRY = tmp_path
    add_rows.main()
    runpy.run_path(str(HERE.parent / "r-chunkctx" / "apply.py"))["main"](tmp_path)  # then what r-chunkctx states
    runpy.run_path(str(HERE.parent / "r-mixbits" / "apply.py"))["main"](tmp_path)  # and r-mixbits (effective bits)
    runpy.run_path(str(HERE.parent / "r-cfgs" / "apply.py"))["apply"](tmp_path)  # and r-cfgs (its rate-matched runs)
    runpy.run_path(str(HERE.parent / "r-h70sat" / "apply.py"))["apply"](tmp_path)  # and r-h70sat (Server caps)
    runpy.run_path(str(HERE.parent / "r-hop70" / "apply.py"))["apply"](tmp_path)  # and r-hop70 (Hopper 70B)
    rebuilt = read_catalog("measurements", tmp_path)
    assert rebuilt.sort("name").equals(read_catalog("measurements").sort("name"))
