"""registry_data/research/r-dc8b: the Datacrunch (Verda) Llama 3.1 8B row states the run's FP8 parameter gather,
fused loss, gradient-accumulation fusion and no FP8 attention, each cited once; the replay
restores the cells and notes on a copy without them and a second run changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-dc8b"
REGISTRY = HERE.parent.parent
ROW = "mlperf-train-v5.1-datacrunch-b200-8x8-ngc25.09-llama31-8b-step"
STATED = {"fp8_params": True, "cross_entropy_loss_fusion": True, "gradient_accumulation_fusion": True,
          "fp8_dot_product_attention": False}


@pytest.fixture(scope="module")
def apply():
    return script(HERE / "apply.py", "r_dc8b_apply")


def test_the_row_states_what_the_runs_configs_set():
    """config_DGXB200_8x8x1xtp1pp1cp2_8b.sh sources config_common.sh (FP8_PARAM_GATHER=True, line 73;
    PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True, line 82), then config_common_8b.sh (unset
    PYTORCH_CUDA_ALLOC_CONF, line 14): the later unset wins, the caching allocator, which the null cell means (the
    allocator column is stated only where a run sets expandable_segments: tests/validation/test_feasible.py)."""
    row = pl.read_parquet(REGISTRY / "measurements.parquet").filter(pl.col("name") == ROW).row(0, named=True)
    assert {k: row[k] for k in STATED} == STATED
    assert (row["tp"], row["pp"], row["cp"], row["microbatch"], row["batch"], row["devices"]) == (1, 1, 2, 1, 32, 64)
    assert row["allocator"] is None and row["notes"].count("config_common.sh#L73") == 1
    assert str(row["last_verified"]) == "2026-12-06"  # dates the result log, which the cells leave


def test_replay_restores_the_cells_and_a_second_run_changes_nothing(apply, tmp_path):
    shutil.copy(REGISTRY / "measurements.parquet", tmp_path / "measurements.parquet")
    bundled = read_catalog("measurements", tmp_path)
    notes = " " + " ".join(apply.cells()["note"])
    rcomp = script(HERE.parent / "r-rcomp" / "apply.py", "r_rcomp_apply_dc8b")  # replayed after it: the row's recompute
    later = " " + " ".join(rcomp.cells().filter(pl.col("name") == ROW)["note"])
    mine = pl.col("name") == ROW
    undone = bundled.with_columns(
        *(pl.when(mine).then(None).otherwise(pl.col(k)).alias(k) for k in (*STATED, "recompute")),
        pl.when(mine).then(pl.col("notes").str.replace(notes, "", literal=True).str.replace(later, "", literal=True))
        .otherwise(pl.col("notes")).alias("notes"))
    write_catalog(undone, "measurements", tmp_path)
    assert read_catalog("measurements", tmp_path).filter(mine)["fp8_params"][0] is None
    for _ in range(2):
        assert apply.apply(tmp_path) == len(STATED)
        rcomp.apply(tmp_path)
        assert read_catalog("measurements", tmp_path).equals(bundled)
