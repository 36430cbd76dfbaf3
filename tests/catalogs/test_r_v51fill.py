"""registry_data/research/r-v51fill: the RTX PRO 6000 Blackwell Server Edition's dense tensor peaks (half NVIDIA's
2:4-sparse figures) and the MLPerf v5.1 DeepSeek-R1 dataset's input lengths, each with its source; a second run of
apply.py changes nothing; compute_lengths.py's checks refuse a file that is not the official dataset."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-v51fill"
GPU = "RTX PRO 6000 Blackwell Server Edition"
PSAP = ("https://github.com/openshift-psap/performance-dashboard/blob/7cd1065d1e2c53ee745cbda08e2a8f13a42c93bb/"
        "mlperf-data/summaries/deepseek-r1.csv")


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_v51fill_apply")


@pytest.fixture(scope="module")
def lengths():
    return script(HERE / "compute_lengths.py", "r_v51fill_lengths")


def _row(table: str, name: str) -> dict:
    return read_catalog(table).filter(pl.col("name") == name).row(0, named=True)


def test_server_edition_peaks_are_half_nvidias_sparse_figures():
    """Datasheet 'Peak FP4 AI PFLOPS 4 PFLOPS', product page 'FP8 Tensor Core: 2 PFLOPS', 'FP16 | BF16 Tensor Core:
    1 PFLOP' (sparse: the same GB202 at a lower clock than the Workstation Edition, whose dense BF16 is 503.8 TF)."""
    row = _row("hardware", GPU)
    assert row["peak_fp4_flop_per_s"] == 4e15 / 2
    assert row["peak_fp8_flop_per_s"] == 2e15 / 2
    assert row["peak_bf16_flop_per_s"] == row["peak_fp16_flop_per_s"] == 1e15 / 2
    assert row["peak_tf32_flop_per_s"] is None and row["peak_int8_flop_per_s"] is None  # no NVIDIA figure read
    assert row["peak_fp32_flop_per_s"] == 120e12 and row["memory_bandwidth_bytes_per_s"] == 1597e9  # unchanged
    workstation = _row("hardware", "RTX PRO 6000 Blackwell")
    # dense BF16 below the faster Workstation Edition's whitepaper figure scaled by the FP32 clocks, within rounding
    scaled = workstation["peak_bf16_flop_per_s"] * row["peak_fp32_flop_per_s"] / workstation["peak_fp32_flop_per_s"]
    assert row["peak_bf16_flop_per_s"] == pytest.approx(scaled, rel=0.04)
    assert row["peak_fp4_flop_per_s"] == workstation["peak_fp4_flop_per_s"]  # '4000 AI TOPS' with sparsity / 2


def test_server_edition_row_states_its_sources():
    row = _row("hardware", GPU)
    assert row["source_url"] == "https://www.nvidia.com/en-us/data-center/rtx-pro-6000-blackwell-server-edition/"
    assert row["source_quality"] == "secondary"
    assert row["last_verified"] == dt.date(2026, 12, 3)  # read through copies: r-reg13's rule, it does not move
    for quoted in ("'Peak FP4 AI PFLOPS 4 PFLOPS'", "'FP8 Tensor Core: 2 PFLOPS'", "'FP16 | BF16 Tensor Core: 1 PFLOP'",
                   "707m1632ypg4du1fj3ci1jo3h4w1k78j.pdf", "Missing primary document", "(r-v51fill)"):
        assert quoted in row["notes"], quoted


def test_deepseek_r1_input_lengths_from_the_official_dataset():
    row = _row("workloads", "mlperf-deepseek-r1")
    assert row["source_url"] == PSAP and row["last_verified"] == dt.date(2026, 12, 6) and row["trust"] == "B"
    assert row["samples"] == 4388
    assert (row["input_tokens_mean"], row["input_tokens_std"]) == (803.79, 405.69)
    assert (row["input_tokens_p50"], row["input_tokens_p90"], row["input_tokens_p99"]) == (901.5, 1281.0, 1432.0)
    assert row["input_tokens_max"] == 3140.0
    assert row["output_tokens_mean"] == 3886.2274 and row["output_tokens_std"] is None  # the checker's reference
    assert "language/deepseek-r1/README.md" in row["source_location"] and "(r-v51fill)" in row["notes"]


def test_lengths_are_recomputed_from_a_summary_and_its_checks_refuse_other_files(lengths):
    """A synthetic 4,388-row file with the README's output mean: the statistics by hand; a wrong row count or
    output mean is refused."""
    n = 4388
    inputs = [100.0] * (n // 2) + [300.0] * (n // 2)  # mean 200, median 200
    out = [lengths.README_32K_OUTPUT_MEAN] * n
    got = lengths.lengths(pl.DataFrame({"input_length": inputs, "output_length": out}))
    assert (got["input_tokens_mean"], got["input_tokens_p50"], got["input_tokens_max"]) == (200.0, 200.0, 300.0)
    assert got["samples"] == n and got["source_url"] == PSAP
    with pytest.raises(ValueError, match="QSL size 4388"):
        lengths.lengths(pl.DataFrame({"input_length": inputs[:-1], "output_length": out[:-1]}))
    with pytest.raises(ValueError, match="output_length mean"):
        lengths.lengths(pl.DataFrame({"input_length": inputs, "output_length": [3886.2274] * n}))
    committed = pl.read_csv(HERE / "lengths.csv").row(0, named=True)
    assert committed["input_tokens_mean"] == _row("workloads", "mlperf-deepseek-r1")["input_tokens_mean"]


def test_a_second_run_changes_nothing(apply, tmp_path):
    registry = Path(__file__).resolve().parents[2] / "registry_data"
    for table in ("hardware", "workloads"):
        shutil.copy(registry / f"{table}.parquet", tmp_path / f"{table}.parquet")
    before = {t: (tmp_path / f"{t}.parquet").read_bytes() for t in ("hardware", "workloads")}
    apply.main(tmp_path)
    assert {t: (tmp_path / f"{t}.parquet").read_bytes() for t in ("hardware", "workloads")} == before
    assert _row("hardware", GPU)["notes"].count("(r-v51fill)") == 1
    assert _row("workloads", "mlperf-deepseek-r1")["notes"].count("(r-v51fill)") == 1


def test_a_catalog_without_the_rows_is_refused(apply):
    with pytest.raises(ValueError, match="Server Edition.*column name"):
        apply.with_peaks(read_catalog("hardware").filter(pl.col("name") != GPU))
    with pytest.raises(ValueError, match="mlperf-deepseek-r1.*column name"):
        apply.with_lengths(read_catalog("workloads").filter(pl.col("name") != "mlperf-deepseek-r1"),
                           pl.read_csv(HERE / "lengths.csv"))
