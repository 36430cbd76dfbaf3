"""Output schemas: the value ranges physics gives each column, and the columns that leave them by design."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline import runs
from pipeline.errors import InputError
from pipeline.spec import load_spec
from pipeline.studies import check_values, schema_columns
from pipeline.studies.columns import BY_DESIGN, STUDIES


@pytest.fixture(scope="module")
def node_rows() -> pl.DataFrame:
    return pipeline.sweep({"axes": {"hardware": ["H100 SXM5 80GB", "T4"], "model": ["Llama 2 7B", "ResNet-50"],
                                    "compute_dtype": ["fp16"], "batch": [1, 64], "seq_len": [2048],
                                    "workload": ["inference", "training"]}})


@pytest.mark.parametrize("name", ["default", "serving", "training"])
def test_the_bundled_sweeps_hold_their_value_ranges(name):
    prepared = runs.prepare(load_spec(name))
    frame = runs.collect(prepared)
    check_values(frame, prepared.study.SCHEMA)
    # the by-design exceptions are exercised: some layouts do not fit, and more peak never slows a step
    assert frame["memory_headroom_bytes"].min() < 0
    assert frame["elasticity_peak_flop_per_s"].max() <= 0


def test_a_value_out_of_range_fails_naming_its_column(node_rows):
    row = pl.int_range(pl.len())
    bad = node_rows.with_columns(mfu=pl.when(row == 0).then(1.5).otherwise("mfu"),
                                 latency_s=pl.when(row == 2).then(-1e-3).otherwise("latency_s"))
    with pytest.raises(InputError) as err:
        check_values(bad, STUDIES["node"])
    problems = {p.column: p for p in err.value.problems}
    assert set(problems) == {"mfu", "latency_s"}
    assert problems["mfu"].row == 1 and problems["mfu"].message == "got 1.5, expected in [0, 1]"
    assert problems["latency_s"].row == 3 and problems["latency_s"].message == "got -0.001, expected >= 0"
    assert "column mfu" in str(err.value) and "column latency_s" in str(err.value)


def test_a_negative_headroom_passes_and_a_negative_weight_fails(node_rows):
    check_values(node_rows.with_columns(memory_headroom_bytes=pl.lit(-1e9)), STUDIES["node"])
    with pytest.raises(InputError, match="column weight_bytes"):
        check_values(node_rows.with_columns(weight_bytes=pl.lit(-1.0)), STUDIES["node"])


def test_utilisations_of_a_peak_are_fractions():
    # MFU and HFU (Chowdhery et al. 2022, App. B; Narayanan et al. 2021) and every efficiency are
    # shares of a datasheet figure; the power and bubble shares are shares of the step's time.
    fractions = {"node": ["mfu", "eta_compute", "power_utilization"],
                 "serving": ["eta_compute", "eta_memory", "eta_link", "wait_probability", "prune_ratio",
                             "power_utilization"],
                 "training": ["mfu", "hfu", "eta_compute", "eta_link", "goodput", "pipeline_bubble_fraction",
                              "power_utilization"]}
    for study, names in fractions.items():
        columns = schema_columns(STUDIES[study])
        assert {n: columns[n]["within"] for n in names} == {n: [0.0, 1.0] for n in names}, study


def test_times_energies_and_bytes_are_non_negative():
    for study, schema in STUDIES.items():
        for name, column in schema_columns(schema).items():
            if column["unit"] in ("s", "J", "B", "FLOP", "Wh", "kWh", "MWh", "USD", "tok") and name not in BY_DESIGN:
                assert column["within"] == [0.0, None], (study, name)


def test_the_columns_that_leave_their_range_by_design():
    elasticities = {n for schema in STUDIES.values() for n in schema_columns(schema) if n.startswith("elasticity_")}
    assert set(BY_DESIGN) == elasticities | {
        "memory_headroom_bytes",  # capacity - footprint: negative when it does not fit
        "storage_utilization", "host_utilization", "input_utilization", "utilization",  # demand / supply
        "disagg_utilization",
        "scaling_efficiency",  # per-GPU throughput against a one-node reference
    }
    assert all(reason for reason in BY_DESIGN.values())
    unbounded = {n for schema in STUDIES.values() for n, c in schema_columns(schema).items()
                 if c["unit"] is not None and c["within"] is None}
    assert unbounded == elasticities | {"memory_headroom_bytes"}
