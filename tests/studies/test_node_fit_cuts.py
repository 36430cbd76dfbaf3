"""The node study's writer plan per kernel-fit cut (``node.fit_cuts``, nspeed3): the same rows, in the
same per-accelerator order, with the same values as one plan over the whole hardware side."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipeline import runs
from pipeline.spec import parse_spec
from pipeline.studies import node, node_shared, per_key

# H100 SXM5 and T4 (r-accdefault) have a GEMM kernel fit; MI300X (fit tile above 128 x 128: profile η) has none
SPEC = {"axes": {"hardware": ["T4", "H100 SXM5 80GB", "MI300X"], "model": ["Llama 2 7B", "ResNet-50", "BERT-Large"],
                 "compute_dtype": ["fp16", "bf16", "fp32"], "batch": [1, 8], "seq_len": [512, 2048],
                 "workload": ["inference", "training"]}}


def test_cut_plan_equals_one_plan():
    prepared = runs.prepare(parse_spec(SPEC))
    space = replace(prepared.space, grouped_by="hardware")
    side = space.hardware_side.sort(pl.col("hardware").cast(pl.String), maintain_order=True)
    cuts = node.fit_cuts(side, "hardware")
    fitted = {str(h) for s, absent in cuts if not absent for h in s["hardware"].unique()}
    assert fitted == {"H100 SXM5 80GB", "T4"}  # the accelerators of SPEC with a fit; MI300X lacks every column
    assert [absent for _, absent in cuts] == [[], node.KERNEL_FIT]
    cut = node.build(space, side).frame.collect()
    one = node.operations.build(*node.inputs(space, side), node.SCHEMA, node.OPERATIONS, node.formulas.REGISTRY,
                                node.OUTPUTS, False).frame.collect()
    assert cut.height == one.height > 0
    # each accelerator's rows in the same order (the writer slices a part per accelerator), values exact
    for hardware in one["hardware"].unique():
        assert_frame_equal(cut.filter(pl.col("hardware") == hardware), one.filter(pl.col("hardware") == hardware),
                           check_exact=True)
    assert cut.filter(pl.col("hardware") != "H100 SXM5 80GB")["compute_time_s"].null_count() < cut.height


@pytest.mark.parametrize("whole_side_classes", [per_key.WHOLE_SIDE_CLASSES, 0])  # tables on the whole side / slice
def test_shared_columns_equal_the_per_row_formulas(monkeypatch, whole_side_classes):
    """``node.shared``: each kernel-fit efficiency and the footprint computed once per distinct (hardware inputs,
    model inputs) pair and gathered per row equal the formula evaluated on every row, exactly (a wrong gather index,
    e.g. a cross join's rows taken in another order, moves most rows: checked)."""
    monkeypatch.setattr(per_key, "WHOLE_SIDE_CLASSES", whole_side_classes)
    prepared = runs.prepare(parse_spec(SPEC))
    space = replace(prepared.space, grouped_by="hardware")
    side = space.hardware_side.sort(pl.col("hardware").cast(pl.String), maintain_order=True)
    names = [*node.SHARED, *node.FOOTPRINT]
    frame, units = node.shared(space, side, names)
    assert set(names) <= set(units)  # gathered, not left to the plan
    gathered = frame.select(names).collect()
    per_row = node.formulas.plan(*node.inputs(space, side), names).frame.collect()
    assert gathered.height == per_row.height > 0
    assert_frame_equal(gathered, per_row, check_exact=True)
    assert gathered["step_qkv_proj_eta_compute"].n_unique() > 2  # the fit varies with the shape: not a constant


def test_unfitted_cut_reads_no_kernel_fit_column():
    """The cut without a kernel fit takes compute_time_s's own branch for it (``node.UNFITTED``): its plan reads
    neither the fit's hardware columns nor the per-operator FLOPs and shapes (polars evaluates both branches of the
    formula's ``where``; the fitted cut still reads them)."""
    prepared = runs.prepare(parse_spec(SPEC))
    space = replace(prepared.space, grouped_by="hardware")
    side = space.hardware_side.sort(pl.col("hardware").cast(pl.String), maintain_order=True)
    (fitted, _), (unfitted, absent) = node.fit_cuts(side, "hardware")
    fit_only = [*node.KERNEL_FIT, *node.SHARED, "step_qkv_proj_flop", "step_mlp_gemm_m", "n_layers"]

    def read(hardware_side: pl.DataFrame) -> set[str]:
        plan = node.build(space, hardware_side).frame.select("compute_time_s").explain()
        return {c for c in fit_only if f'col("{c}")' in plan}

    assert absent and read(unfitted) == set()
    assert {"gemm_units", "step_qkv_proj_eta_compute", "n_layers"} <= read(fitted)


def test_fit_tables_key_on_eta_compute_only_without_a_fit(monkeypatch):
    """The kernel-fit η tables' hardware classes key on eta_compute only where the row has no fit (its formula reads
    it only there, ``node_shared.GATED_ETA``): rows of one fit at two profile η are one class, not two. The values
    stay those of the per-row formulas (``test_shared_columns_equal_the_per_row_formulas``)."""
    side = pl.DataFrame({"gemm_units": [132.0, 132.0, None], "attention_ceiling": [None, 0.6, None],
                         "eta_compute": [0.5, 0.7, 0.4]})
    gated = node_shared.gated(side)
    assert gated[node_shared.GATED_ETA["gemm_units"]].to_list() == [None, None, 0.4]
    assert gated[node_shared.GATED_ETA["attention_ceiling"]].to_list() == [0.5, None, 0.4]
    groups = []
    gathered = per_key.gathered
    monkeypatch.setattr(per_key, "gathered", lambda space, side, found: groups.extend(found) or gathered(
        space, side, found))
    prepared = runs.prepare(parse_spec(SPEC))
    space = replace(prepared.space, grouped_by="hardware")
    node.shared(space, space.hardware_side, [*node.SHARED, *node.FOOTPRINT])
    keys = {group.columns[0]: group.hardware for group in groups}
    assert node_shared.GATED_ETA["gemm_units"] in keys["step_qkv_proj_eta_compute"]
    assert node_shared.GATED_ETA["attention_ceiling"] in keys["step_attention_eta_compute"]
    assert not any("eta_compute" in keys[name] for name in node.SHARED)
