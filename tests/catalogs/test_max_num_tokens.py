"""The measurements column ``max_num_tokens`` (the engine's runtime token budget per iteration, r-chunkctx): a
registry written before it loads with the column null and a note; a bad value is rejected naming table, row and
column; validation reads a stated budget as the row's ``serving.prefill_chunk_tokens``."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.catalogs.io import read_catalog
from pipeline.catalogs.load import load_catalogs
from pipeline.errors import InputError
from pipeline.spec import parse_spec
from pipeline.validation import predict, read_measurements
from pipeline.validation.grouping import group_key
from pipeline.validation.predict import SPEC_INPUTS, measurement_spec
from pipeline.validation.serving_rows import delivered_tokens_per_s
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-chunkctx"


def test_a_registry_without_the_column_reads_it_as_null_with_a_note(registry, capsys):
    path = registry / "measurements.parquet"
    pq.write_table(pq.read_table(path).drop(["max_num_tokens"]), path)
    m = read_catalog("measurements", registry)
    assert m["max_num_tokens"].dtype == pl.Int64 and m["max_num_tokens"].null_count() == m.height
    assert re.search(r"no column 'max_num_tokens' \(added 2026-12-06\); read as null: no runtime token budget",
                     capsys.readouterr().err)


@pytest.mark.parametrize("bad", [0, -2048])
def test_a_budget_below_one_token_is_rejected_with_table_row_and_column(registry, bad):
    path = registry / "measurements.parquet"
    table = pq.read_table(path)
    i = table.schema.get_field_index("max_num_tokens")
    values = table.column(i).to_pylist()
    row = values.index(None)  # a row without a stated budget
    values[row] = bad
    pq.write_table(table.set_column(i, table.schema.field(i), pa.array(values, pa.int64())), path)
    with pytest.raises(InputError, match="catalog 'measurements'") as exc:
        read_catalog("measurements", registry)
    name = table.column("name")[row].as_py()
    assert [(p.column, p.row in (row + 1, None) and (p.row or p.label == name)) for p in exc.value.problems] == [
        ("max_num_tokens", True)]


def test_the_stated_budgets_cite_their_config_line_and_replay_to_the_catalog(registry):
    """r-chunkctx: 63 TensorRT-LLM MLPerf rows state the budget of their config (v5.1 own configs; the two v5.0 405B
    Server runs NVIDIA's class whose rate matches), each note citing the line; r-cfgs states the rest its configs
    state (v4.1 classes, the later v5.1 rows). Replaying both onto a tree without the column gives the catalog again
    (same rows, values, notes), and the v5.0 layouts stay stated."""
    bundled = pl.read_parquet(HERE.parents[1] / "measurements.parquet")
    infx = pl.col("name").str.starts_with("infx-")  # r-infx's rows: their launch scripts' budgets (test_r_infx)
    assert bundled.filter(infx)["max_num_tokens"].is_not_null().all()
    v60 = pl.col("name").str.starts_with("mlperf-inf-v6.0-")  # r-v60's rows: their configs' budgets, appended by
    # its add_rows.py after r-infx's (test_research_v60)
    cells = pl.read_csv(HERE.parent / "r-cfgs" / "cells.csv")
    chunkctx = bundled.filter(pl.col("name").is_in(pl.read_csv(HERE / "patches.csv")["name"].implode()))
    stated = bundled.filter(pl.col("max_num_tokens").is_not_null() & ~infx & ~v60)
    assert chunkctx.height == 63 and chunkctx["max_num_tokens"].is_not_null().all()
    dsr1c = pl.read_csv(HERE.parent / "r-dsr1c" / "cells.csv").filter(pl.col("column") == "max_num_tokens")
    prefbatch = pl.concat([pl.read_csv(HERE.parent / f / "cells.csv") for f in ("r-prefbatch", "r-amdcfg", "r-amdv41")
                           ]).filter(pl.col("column") == "max_num_tokens")  # r-prefbatch's Mixtral, r-amdcfg's and
    # r-amdv41's Llama 2 70B AMD harness rows (v5.1 yamls; v4.1 python entry points)
    hop70 = pl.read_csv(HERE.parent / "r-hop70" / "cells.csv", infer_schema=False).filter(
        pl.col("column") == "max_num_tokens")  # r-hop70: Juniper's v4.1 base, NVIDIA's v5.0 Offline classes
    assert stated.height == 63 + cells.filter(pl.col("column") == "max_num_tokens").height + dsr1c.height + \
        prefbatch.height + hop70.height
    # vLLM only where r-prefbatch / r-amdcfg / r-amdv41 state an AMD harness's max_num_batched_tokens
    assert set(stated.filter(~pl.col("name").is_in(prefbatch["name"].implode()))["framework"]) == {"TensorRT-LLM"}
    assert set(stated.filter(pl.col("name").is_in(prefbatch["name"].implode()))["framework"]) == {"vLLM"}
    assert stated["notes"].str.contains("[max_num_tokens = ", literal=True).all()
    assert stated["notes"].str.contains(r"/blob/(965182b03376a00fcae415c54e560e1c83937932|"
                                        r"198fc46799b3328b36ee4bcbdebfa2db5a8e6183|"
                                        r"6069beb24b7a0a352f2ea8e76989fa16cd47c76e)/").all()  # v5.0: r-hop70
    later = pl.concat([pl.read_csv(HERE.parent / f / "cells.csv").select("name") for f in ("r-h70sat", "r-hop70")])
    h70sat = stated.filter(pl.col("name").is_in(later["name"].implode()))  # r-h70sat, r-hop70: read on the 7th
    assert (stated["last_verified"].cast(pl.String) == "2026-12-06").sum() == stated.height - dsr1c.height - \
        h70sat.height - prefbatch.height  # r-prefbatch, r-amdcfg and r-amdv41 read their configs on the 7th
    assert stated.filter(pl.col("name").is_in(dsr1c["name"].implode()))["last_verified"].cast(pl.String).eq(
        "2026-12-07").all()  # r-dsr1c read its configs on the 7th
    v50 = bundled.filter(pl.col("name").str.contains("v5.0-nvidia-b200-sxm-180gbx8_trt-llama3_1-405b-server"))
    assert v50.select("tp", "pp", "batch", "max_num_tokens").unique().rows() == [(2, 2, 128, 1024)]
    path = registry / "measurements.parquet"
    gptoss = pl.col("name").str.starts_with("trtllm-perf-gptoss-")  # r-gptoss's rows (no budget), appended after v60's
    pl.read_parquet(path).filter(~infx & ~v60 & ~gptoss).drop("max_num_tokens").write_parquet(path)  # appended last
    runpy.run_path(str(HERE / "apply.py"))["main"](registry)
    runpy.run_path(str(HERE.parent / "r-cfgs" / "apply.py"))["apply"](registry)
    runpy.run_path(str(HERE.parent / "r-dsr1c" / "apply.py"))["apply"](registry)
    runpy.run_path(str(HERE.parent / "r-h70sat" / "apply.py"))["apply"](registry)
    runpy.run_path(str(HERE.parent / "r-prefbatch" / "apply.py"))["apply"](registry)
    runpy.run_path(str(HERE.parent / "r-amdcfg" / "apply.py"))["apply"](registry)
    runpy.run_path(str(HERE.parent / "r-amdv41" / "apply.py"))["apply"](registry)
    runpy.run_path(str(HERE.parent / "r-hop70" / "apply.py"))["apply"](registry)
    runpy.run_path(str(HERE.parent / "r-infx" / "apply.py"))["apply"](registry)
    v60_rows = script(HERE.parent / "r-v60" / "add_rows.py", "add_rows_v60_after_budgets")
    v60_rows.REGISTRY = registry
    v60_rows.main(left_out=None)
    script(HERE.parent / "r-gptoss" / "add_rows.py", "add_rows_gptoss_after_budgets").main(registry)
    runpy.run_path(str(HERE.parent / "r-feas" / "apply.py"))["apply"](registry, HERE.parent / "r-ttftmap", {})
    replayed = pl.read_parquet(path)
    assert replayed.select(bundled.columns).equals(bundled)


ROW = {"study": "serving", "scenario": "server", "metric": "ttft_s", "framework": "TensorRT-LLM",
       "model": "Llama 3.1 405B", "hardware": "B200 (HGX B200)", "compute_dtype": "fp4", "weight_dtype": "fp4",
       "devices": 8, "tp": 4, "pp": 1, "prompt_len": 9429, "output_len": 650, "request_rate": 1.9}


def test_a_row_stating_its_budget_runs_with_it_as_the_chunk_size_in_a_group_of_its_own():
    """A stated 1,024 becomes serving.prefill_chunk_tokens; null adds nothing (the profile's 8,192). A framework
    term's setting is read from the group's spec (not per variant, as a studies.knobs knob), so rows of different
    budgets are grouped apart (grouping.FRAMEWORK_SETTINGS) and rows of one budget together."""
    row = dict.fromkeys(SPEC_INPUTS) | ROW
    stated, reason = measurement_spec(row | {"max_num_tokens": 1024}, None)
    same, _ = measurement_spec(row | {"max_num_tokens": 1024, "request_rate": 1.2}, None)
    other, _ = measurement_spec(row | {"max_num_tokens": 2048}, None)
    plain, _ = measurement_spec(row | {"max_num_tokens": None}, None)
    assert reason is None and stated["serving"] == {"prefill_chunk_tokens": 1024} and "serving" not in plain
    assert parse_spec(stated, "test").serving.prefill_chunk_tokens == 1024
    assert parse_spec(plain, "test").serving.prefill_chunk_tokens is None
    assert group_key(stated) == group_key(same) != group_key(other) != group_key(plain) != group_key(stated)


def test_rows_of_several_budgets_and_accelerators_are_predicted_once_each():
    """The MLPerf TTFT rows of B200, GB200 and H200 (budgets 256 to 12,000 and unstated): one prediction a row (stacked
    as variants of one space they came out 35 -> 119 rows); a stated budget reaches its row: ASUSTeK's H200 Llama 2
    70B Server TTFT at its 1,536 tokens batches fewer prompts an iteration (serving_load.load_prefill_batch) than at
    the profile's 8,192, so it is a little longer"""
    catalogs = load_catalogs()
    rows = read_measurements(None, catalogs).rows
    later = pl.col("notes").str.contains("MLPerf Inference v5.1 closed datacenter (", literal=True) | pl.col(
        "name").str.starts_with("mlperf-inf-v6.0-")  # r-v50b's, r-v60's
    ttft = rows.filter(pl.col("name").str.starts_with("mlperf-inf") & (pl.col("metric") == "ttft_s")
                       & pl.col("hardware").is_in(["B200 (HGX B200)", "GB200 NVL72 GPU", "H200 SXM 141GB"]) & ~later)
    out = predict(ttft, catalogs)
    assert ttft.height == 35 and out.height == 35 and out["name"].n_unique() == 35
    one = rows.filter(pl.col("name") == "mlperf-inf-v5.1-asustek-esc-n8-h200-sxm-141gbx8-trt-llama2-70b-99-server"
                      "-ttft-p50")
    stated, unstated = (predict(r, catalogs)["predicted"][0] for r in (one, one.with_columns(
        pl.lit(None, pl.Int64).alias("max_num_tokens"))))
    assert one["max_num_tokens"][0] == 1536 and stated > unstated * 1.001


def test_an_unstable_rate_delivers_at_most_what_wall_7_serves():
    """By hand, two replicas, 100 output tokens a request: stable at 1 req/s offered, 1 x 100 = 100 tok/s (flow
    conservation); unstable at 9 req/s (means null) with a batch throughput of 500 tok/s a replica but wall
    7's capacity 2 req/s a replica (a 256-token budget limiting prefill): 2 x 100 x 2 = 400 tok/s, not 1,000."""
    frame = pl.DataFrame({"request_rate": [1.0, 9.0], "output_len": [100, 100], "requests": [None, None],
                          "ttft_mean_s": [0.1, None], "tpot_under_load_s": [0.02, None], "is_feasible": [True, True],
                          "batch_tokens_per_s": [500.0, 500.0], "capacity_requests_per_s": [2.0, 2.0]})
    got = frame.select(delivered_tokens_per_s(pl.lit(2.0)))[:, 0].to_list()
    assert got == pytest.approx([100.0, 400.0])
