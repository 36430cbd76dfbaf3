"""registry_data/research/r-infx: SemiAnalysis InferenceX's single-node DeepSeek-R1 closed-loop points as held-out
measurement rows: the fixture's figures (checked by hand against the quoted fixture text and by the run's own
arithmetic), the engine cells each run's launch script states, the selection rule, and a replay that adds exactly
them once."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import bundled_row, script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-infx"
REGISTRY = HERE.parent.parent
BUILD = script(HERE / "build_rows.py", "r_infx_build_rows")
H200_TRT = "infx-dsr1-h200-trt-fp8-tp8-isl{}-osl{}-c{}-{}"


def _rows() -> pl.DataFrame:
    return pl.read_parquet(REGISTRY / "measurements.parquet").filter(pl.col("name").str.starts_with("infx-"))


def test_mean_lengths_are_the_clients_uniform_draw():
    """numpy randint(int(0.8 L), L + 1): 1,024 -> (819 + 1,024) / 2 = 921.5 -> 922; 8,192 -> (6,553 + 8,192) / 2 =
    7,372.5 -> 7,373 (rounded half up)."""
    assert (BUILD.mean_length(1024), BUILD.mean_length(8192)) == (922, 7373)


def test_rows_are_the_fixtures_figures():
    """Fixture offset 148000, the h200 / trt / fp8 point isl 1024, osl 1024, conc 4 (run 19019407598/attempts/2):
    "mean_tpot":0.013805333440646906, "mean_ttft":0.3078542872215621, "output_tput_per_gpu":34.38679662492899 on
    tp 8 -> 275.0944 tok/s; its launch script (benchmarks/dsr1_fp8_h200_trt_slurm.sh @e06929c7) L24 EP_SIZE="$TP",
    L55 KV dtype fp8, L74 MAX_NUM_TOKENS = (4 + 1024 + 127) // 64 x 64 = 1152."""
    row = {m: bundled_row("measurements", H200_TRT.format(1024, 1024, 4, m.removesuffix("_s")))
           for m in ("ttft_s", "itl_s", "tokens_per_s")}
    assert (row["ttft_s"]["value"], row["ttft_s"]["unit"], row["ttft_s"]["statistic"]) == (307.854287, "ms", "mean")
    assert (row["itl_s"]["value"], row["itl_s"]["statistic"]) == (13.805333, "mean")
    assert (row["tokens_per_s"]["value"], row["tokens_per_s"]["unit"]) == (275.094373, "tok/s")
    assert {(r["tp"], r["ep"], r["pp"], r["devices"], r["kv_dtype"], r["max_num_tokens"], r["concurrency"],
             r["prompt_len"], r["output_len"], r["framework"], r["hardware"], r["compute_dtype"])
            for r in row.values()} == {(8, 8, 1, 8, "fp8", 1152, 4, 922, 922, "TensorRT-LLM", "H200 SXM 141GB", "fp8")}
    run = "https://github.com/SemiAnalysisAI/InferenceX/actions/runs/19019407598/attempts/2"
    assert {r["source_url"] for r in row.values()} == {run}


def test_attention_dp_where_the_script_turns_it_on():
    """The same script L36-38: DP_ATTENTION=true above conc 32 at 8192 / 1024 (so conc 64 only), L68 timeout_iters
    60; budget (64 + 8192 + 127) // 64 x 64 = 8320. Attention DP 8 in EP 8 is tp 1, ep 8 (r-dsr1c's layout)."""
    adp = bundled_row("measurements", H200_TRT.format(8192, 1024, 64, "itl"))
    below = bundled_row("measurements", H200_TRT.format(8192, 1024, 32, "itl"))
    assert (adp["tp"], adp["ep"], adp["adp_balancing_timeout_iters"], adp["max_num_tokens"]) == (1, 8, 60, 8320)
    assert (below["tp"], below["ep"], below["adp_balancing_timeout_iters"]) == (8, 8, None)
    layouts = _rows().filter(pl.col("adp_balancing_timeout_iters").is_not_null())
    assert set(layouts["name"].str.extract(r"infx-dsr1-(.*)-[a-z_]+$")) == {
        "h200-trt-fp8-tp8-isl8192-osl1024-c64", "b200-trt-fp4-tp4-isl8192-osl1024-c64"}
    assert (layouts["tp"] == 1).all()


def test_the_points_agree_with_their_own_arithmetic():
    """A transcription check from the fixture's own figures: a request's mean e2e is its TTFT + (output - 1) TPOT
    (benchmark_serving's definition of TPOT) within 2 %, and the client's output tokens/s over output_tput_per_gpu
    is the run's GPU count (tp) within +10 % (the run's duration includes its ramp and drain)."""
    p = pl.read_csv(HERE / "points.csv")
    out = p["osl"].map_elements(BUILD.mean_length, return_dtype=pl.Int64)
    e2e = p["mean_ttft"] + (out - 1) * p["mean_tpot"]
    assert ((e2e / p["mean_e2el"] - 1).abs() < 0.02).all()
    tp = p["config"].replace_strict({k: v[3] for k, v in BUILD.CONFIGS.items()}, return_dtype=pl.Int64)
    gpus = p["conc"] * out / p["mean_e2el"] / p["output_tput_per_gpu"] / tp
    assert gpus.is_between(1.0, 1.1).all()


def test_the_selection_rule():
    """Five single-node, non-disaggregated, no-speculation configurations of the catalog's hardware, each at the
    three isl / osl pairs and concurrencies 4 to 64: 75 points, 3 rows each."""
    p = pl.read_csv(HERE / "points.csv")
    assert p.height == 75 and p.select("config", "isl", "osl", "conc").n_unique() == 75
    assert set(p["conc"]) == {4, 8, 16, 32, 64} and set(zip(p["isl"], p["osl"])) == {
        (1024, 1024), (1024, 8192), (8192, 1024)}
    rows = _rows()
    assert rows.height == 225 and rows["metric"].value_counts().sort("metric")["count"].to_list() == [75, 75, 75]
    assert set(rows["hardware"]) <= set(read_catalog("hardware")["name"])
    assert set(rows["model"]) == {"DeepSeek-R1"} and set(rows["framework"]) == {"SGLang", "TensorRT-LLM"}
    assert (rows["scenario"] == "server").all() and rows["request_rate"].is_null().all()


def test_each_row_cites_its_run_and_launch_script():
    rows = _rows()
    assert rows["source_url"].str.contains(r"^https://github.com/SemiAnalysisAI/InferenceX/actions/runs/\d+/"
                                           r"attempts/\d$").all()
    assert rows["source_location"].str.starts_with("SemiAnalysisAI/InferenceX-app@3a600f1d9ce155536d52e2f58f74"
                                                   "4f27a301aac9:packages/app/cypress/fixtures/api/").all()
    assert rows["notes"].str.contains(r"max_num_tokens \d+: https://github.com/SemiAnalysisAI/InferenceX/blob/"
                                      r"[0-9a-f]{40}/benchmarks/").all()
    assert (rows["last_verified"].cast(pl.String) == "2026-12-07").all()


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_infx_apply")


def test_replay_adds_exactly_the_rows_once(apply, tmp_path):
    bundled = pl.read_parquet(REGISTRY / "measurements.parquet")
    bundled.filter(~pl.col("name").str.starts_with("infx-")).write_parquet(tmp_path / "measurements.parquet")
    assert apply.apply(tmp_path) == 225
    assert apply.apply(tmp_path) == 0
    after = pl.read_parquet(tmp_path / "measurements.parquet")
    assert after.sort("name").equals(bundled.sort("name"))


def test_rows_csv_is_what_build_rows_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(BUILD, "HERE", tmp_path)
    shutil.copy(HERE / "points.csv", tmp_path / "points.csv")
    BUILD.main()
    assert (tmp_path / "rows.csv").read_text() == (HERE / "rows.csv").read_text()
