"""registry_data/research/r-v40: the MLPerf Inference v4.0 NVIDIA rows are the logs' own figures (checked by hand
against the quoted lines), cite a pinned commit, and a second run of add_rows.py changes nothing."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-v40"
PREFIX = "mlperf-inf-v4.0-nvidia-"


def _rows() -> pl.DataFrame:
    return read_catalog("measurements").filter(pl.col("name").str.starts_with(PREFIX))


def test_the_rows_are_the_logs_figures():
    rows = _rows()
    later = pl.concat([pl.read_csv(HERE.parent / f / "cells.csv").select("name") for f in ("r-h70sat", "r-hop70")])
    h70sat = pl.col("name").is_in(later["name"].implode())
    verified = rows.select(pl.when(h70sat).then(datetime.date(2026, 12, 7)).otherwise(datetime.date(2026, 12, 6)))
    assert rows.height == 34 and (rows["last_verified"] == verified.to_series()).all()  # r-h70sat, r-hop70: their
    # configs' Server batch caps, read on the 7th
    assert rows["source_url"].str.contains("inference_results_v4.0/blob/3c4a1cf196b70175cfe7c59e067cd1d923aa4f3f/"
                                           "closed/NVIDIA/results/").all()
    by_name = {r["name"]: r for r in rows.iter_rows(named=True)}
    # DGX H100 x8 resnet50 Server log: line 7 'Scheduled samples per second : 584147.32',
    # line 19 'Completed samples per second    : 584137.49'
    server = by_name[PREFIX + "dgx-h100_h100-sxm-80gbx8_trt-resnet50-server"]
    assert (server["value"], server["request_rate"], server["unit"]) == (584137.49, 584147.32, "1/s")
    bert = by_name[PREFIX + "dgx-h100_h100-sxm-80gbx1_trt-bert-99-offline"]  # line 7 'Samples per second: 9081.51'
    assert (bert["value"], bert["seq_len"], bert["compute_dtype"]) == (9081.51, 384, "int8")
    # H200 x8 llama2-70b-99.9 Server: lines 33, 37, 46 'Completed tokens per second : 26485.43',
    # '50.00 percentile first token latency (ns) : 396745419', 'Mean Time to Output Token (ns) : 164850844';
    # 26485.43 tok/s / 90.35 samples/s = 293.1 tokens per sample; the Server config's H200 class: tensor_parallelism 1
    h200 = {m: by_name[PREFIX + "h200-sxm-141gbx8_trt-llama2-70b-99.9-server" + s]
            for m, s in (("tok", ""), ("ttft", "-ttft-p50"), ("tpot", "-tpot-mean"))}
    assert h200["tok"]["value"] == 26485.43 and h200["tok"]["request_rate"] == 91.24
    assert (h200["ttft"]["value"], h200["ttft"]["unit"], h200["ttft"]["statistic"]) == (396.745419, "ms", "p50")
    assert (h200["tpot"]["value"], h200["tpot"]["statistic"]) == (164.850844, "mean")
    assert {r["output_len"] for r in h200.values()} == {293} and {r["tp"] for r in h200.values()} == {1}
    offline = by_name[PREFIX + "dgx-h100_h100-sxm-80gbx8_trt-llama2-70b-99.9-offline"]
    # 'Tokens per second: 21805.8' / 'Samples per second: 74.699' = 291.9; config class H100_SXM_80GB_TP2x1: TP2 PP1
    assert (offline["value"], offline["output_len"], offline["tp"], offline["pp"]) == (21805.8, 292, 2, 1)
    assumed = rows.filter(pl.col("notes").str.contains("ASSUMED"))  # ResNet-50 / RetinaNet: no v4.0 file states it
    assert sorted(assumed["model"].unique()) == ["ResNet-50", "RetinaNet"]
    assert rows.filter(~h70sat)["batch"].is_null().all()  # batch: only r-h70sat's and r-hop70's Server caps


def test_from_a_catalog_without_them_two_runs_add_exactly_them(tmp_path):
    """The first run restores the bundled rows (compared by name: the other helpers' rows keep their order); the
    second adds nothing, whichever other rows the catalog holds."""
    registry = HERE.parents[1]
    for f in registry.glob("*.parquet"):
        shutil.copy(f, tmp_path / f.name)
    bundled = read_catalog("measurements")
    write_catalog(bundled.filter(~pl.col("name").str.starts_with(PREFIX)), "measurements", tmp_path)
    add_rows = script(HERE / "add_rows.py", "add_rows_v40")
    add_rows.REGISTRY = tmp_path
    add_rows.main()
    script(HERE.parent / "r-h70sat" / "apply.py", "apply_h70sat_after_v40").apply(tmp_path)  # the Server caps
    script(HERE.parent / "r-hop70" / "apply.py", "apply_hop70_after_v40").apply(tmp_path)  # the H200 one
    once = pl.read_parquet(tmp_path / "measurements.parquet")
    assert read_catalog("measurements", tmp_path).sort("name").equals(bundled.sort("name"))
    add_rows.main()
    assert pl.read_parquet(tmp_path / "measurements.parquet").equals(once)
