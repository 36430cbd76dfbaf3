"""The formula driver: plan() and compile_scalar() resolve the same graph; a unit error names
the column and the formula; the scalar answer of a study's formulas equals the sweep's row."""

from __future__ import annotations

import random
from functools import cache

import polars as pl
import pytest

from pipeline import formulas
from pipeline.units import DimensionalityError, E, UExpr, lit, maximum, unit
from tests.sweep_rows import BUNDLED, names, same


def time_s(flop: UExpr, peak: UExpr) -> UExpr:
    return (flop / peak).to("s")


def bytes_time_s(bytes_moved: UExpr, bandwidth: UExpr) -> UExpr:
    return (bytes_moved / bandwidth).to("s")


def latency_ms(time_s: UExpr, bytes_time_s: UExpr) -> UExpr:
    return maximum(time_s, bytes_time_s).to("ms")


def bound(time_s: UExpr, bytes_time_s: UExpr):
    return E.when(time_s >= bytes_time_s).then(E.lit("compute")).otherwise(E.lit("memory"))


def wrong_sum_s(time_s: UExpr, bytes_moved: UExpr) -> UExpr:
    return time_s + bytes_moved  # seconds plus bytes: wrong on purpose


ROOFLINE = {f.__name__: f for f in (time_s, bytes_time_s, latency_ms, bound, wrong_sum_s)}
INPUTS = {"flop": unit("FLOP"), "peak": unit("FLOP/s"), "bytes_moved": unit("B"), "bandwidth": unit("B/s")}
OUTPUTS = ["time_s", "bytes_time_s", "latency_ms", "bound"]


def test_compile_scalar_computes_hand_values():
    plan = formulas.compile_scalar(INPUTS, OUTPUTS, ROOFLINE)
    # 2e12 FLOP at 1e15 FLOP/s = 2 ms; 1.6e10 B at 3.2e12 B/s = 5 ms: memory bound, 5 ms
    out = plan({"flop": 2e12, "peak": 1e15, "bytes_moved": 1.6e10, "bandwidth": 3.2e12})
    assert out["bound"] == "memory"
    assert [out[c] for c in OUTPUTS[:3]] == pytest.approx([2e-3, 5e-3, 5.0], rel=1e-15)
    assert plan.units == {"time_s": unit("s"), "bytes_time_s": unit("s"), "latency_ms": unit("ms"), "bound": None}
    assert set(plan.inputs) == set(INPUTS)


def test_compile_scalar_follows_polars_nulls():
    plan = formulas.compile_scalar(INPUTS, OUTPUTS, ROOFLINE)
    # a null FLOP count: null compute time; the row-wise max skips it; the null comparison falls through
    out = plan({"flop": None, "peak": 1e15, "bytes_moved": 1.6e10, "bandwidth": 3.2e12})
    assert out == {"time_s": None, "bytes_time_s": pytest.approx(5e-3), "latency_ms": pytest.approx(5.0),
                   "bound": "memory"}
    frame = pl.LazyFrame({"flop": [None], "peak": [1e15], "bytes_moved": [1.6e10], "bandwidth": [3.2e12]},
                         schema={"flop": pl.Float64, "peak": pl.Float64, "bytes_moved": pl.Float64,
                                 "bandwidth": pl.Float64})
    assert formulas.plan(frame, INPUTS, OUTPUTS, ROOFLINE).frame.collect().row(0, named=True) == out


def test_compile_scalar_rebinds_an_input_and_returns_inputs_asked_for():
    plan = formulas.compile_scalar(INPUTS, ["time_s", "peak"], ROOFLINE, rebind={"flop": "flop_at_twice"})
    assert plan({"flop_at_twice": 4e12, "peak": 1e15}) == {"time_s": pytest.approx(4e-3), "peak": 1e15}
    assert set(plan.inputs) == {"flop_at_twice", "peak"}


def test_compile_scalar_is_built_once_per_registry_and_outputs():
    first = formulas.compile_scalar(INPUTS, OUTPUTS, ROOFLINE)
    assert formulas.compile_scalar(INPUTS, OUTPUTS, ROOFLINE) is first
    assert formulas.compile_scalar(INPUTS, OUTPUTS[:1], ROOFLINE) is not first


def test_a_changed_input_unit_is_a_new_function():
    inputs = dict(INPUTS)
    first = formulas.compile_scalar(inputs, ["time_s"], ROOFLINE)
    inputs["flop"] = unit("GFLOP")  # the same mapping object, changed
    second = formulas.compile_scalar(inputs, ["time_s"], ROOFLINE)
    assert second is not first
    assert second({"flop": 2e3, "peak": 1e15})["time_s"] == pytest.approx(2e-3)  # 2e12 FLOP at 1e15 FLOP/s


def test_a_missing_input_is_named():
    plan = formulas.compile_scalar(INPUTS, ["time_s"], ROOFLINE)
    with pytest.raises(KeyError, match="input columns missing: flop"):
        plan({"peak": 1e15})


@pytest.mark.parametrize("build", [
    lambda: formulas.plan(pl.LazyFrame({"flop": [1.0]}), INPUTS, ["wrong_sum_s"], ROOFLINE),
    lambda: formulas.compile_scalar(INPUTS, ["wrong_sum_s"], ROOFLINE),
], ids=["plan", "compile_scalar"])
def test_a_unit_error_names_the_column_and_the_formula(build):
    with pytest.raises(formulas.FormulaUnitError) as raised:
        build()
    message = str(raised.value)
    assert "column 'wrong_sum_s'" in message
    assert f"(formula {wrong_sum_s.__module__}.wrong_sum_s)" in message
    assert "Cannot convert from 'byte'" in message  # pint's own message follows
    assert isinstance(raised.value, DimensionalityError) and isinstance(raised.value, TypeError)


def test_a_formula_calling_polars_directly_is_named_under_the_scalar_backend():
    def direct(flop: UExpr) -> UExpr:
        return UExpr(pl.when(flop.expr > 0).then(flop.expr), flop.unit)

    with pytest.raises(TypeError) as raised:
        formulas.compile_scalar(INPUTS, ["direct"], {"direct": direct})
    assert "while building column 'direct'" in "\n".join(raised.value.__notes__)
    assert "pipeline.scalar" in "\n".join(raised.value.__notes__)


def test_a_constant_serves_both_backends():
    per_param = lit(2.0, "B/param")  # built once, like a module-level constant of a wall

    def weight_bytes(params: UExpr) -> UExpr:
        return params * per_param

    inputs = {"params": unit("param")}
    scalar_out = formulas.compile_scalar(inputs, ["weight_bytes"], {"weight_bytes": weight_bytes})({"params": 7e9})
    swept = formulas.plan(pl.LazyFrame({"params": [7e9]}), inputs, ["weight_bytes"], {"weight_bytes": weight_bytes})
    assert scalar_out == {"weight_bytes": 1.4e10} == swept.frame.collect().row(0, named=True)


# -- the scalar path equals the sweep row, study by study ----------------------------------

def random_spec(study: str, rng: random.Random) -> dict:
    """Random axes over the bundled registry (names, sizes and lengths drawn) with every optional
    part switched on: a region (operations columns), a shared cluster (queue waits), storage and
    a host pipeline (input pipeline: under [data], in training under [training]), and in
    serving a request rate (wall 7)."""
    hardware, models, decoders = names("hardware"), names("models"), names("models", model_type="decoder")
    region = rng.sample(names("regions"), 2)
    options = {"data": {"storage": rng.choice(names("storage")), "data_pipeline": rng.choice(names("host_pipelines"))},
               "operations": {"shared_utilization": round(rng.uniform(0.1, 0.9), 3)}}
    if study == "node":
        return options | {"axes": {
            "hardware": rng.sample(hardware, 8), "model": rng.sample(models, 8),
            "compute_dtype": ["fp32", "fp16", "bf16", "fp8", "int8"], "batch": rng.sample(range(1, 513), 3),
            "seq_len": [rng.randrange(16, 512), rng.randrange(512, 4097)], "workload": ["inference", "training"],
            "region": region}}
    if study == "serving":
        return options | {"study": "serving", "axes": {
            "hardware": rng.sample(hardware, 10), "model": rng.sample(decoders, 8), "precision": ["fp16", "fp8"],
            "tp": [1, 2, 4, 8], "pp": [1, 2], "batch": rng.sample(range(1, 257), 2),
            "prompt_len": [rng.randrange(16, 512), rng.randrange(512, 4097)],
            "output_len": rng.sample(range(1, 2049), 2),
            "request_rate": [round(rng.uniform(0.05, 50.0), 3)], "replicas": [1, rng.randrange(2, 9)],
            "region": region[:1]}}
    return {"training": options["data"], "operations": options["operations"], "study": "training", "axes": {
        "model": rng.sample(decoders, 6), "cluster": rng.sample(names("clusters"), 6),
        "compute_dtype": ["bf16", "fp8"], "seq_len": rng.sample([1024, 2048, 4096], 2), "gpus": [64, 256],
        "tp": [1, 2, 8], "pp": [1, 4], "virtual_stages": [1, 2], "global_batch": [rng.choice([512, 1024])],
        "microbatch": [1, 2], "zero_stage": [0, 3], "recompute": ["selective", "full"], "region": region[:1]}}


@cache
def prepared_study(study: str, seed: int = 11):
    """The prepared space of a random spec (built once per study for the tests below)."""
    from pipeline import runs
    from pipeline.spec import parse_spec

    return runs.prepare(parse_spec(random_spec(study, random.Random(seed))), BUNDLED)


def study_plan_call(study: str):
    """What a study's plan computes its outputs from, for a random spec: the frame holding its
    input columns and their units (the study's public ``inputs``), the outputs and the registry."""
    prepared = prepared_study(study)
    frame, inputs = prepared.study.inputs(prepared.space)
    registry = getattr(prepared.study, "FORMULAS", formulas.REGISTRY)
    return frame, inputs, prepared.study.OUTPUTS, registry


@pytest.mark.parametrize("study", ["node", "serving", "training"])
def test_the_scalar_answer_equals_the_sweep_row_in_every_column(study):
    frame, inputs, outputs, registry = study_plan_call(study)
    rows = frame.collect()
    assert rows.height >= 1000
    sample = rows.sample(n=1000, seed=5)
    swept = formulas.plan(sample.lazy(), inputs, outputs, registry).frame.collect()
    answer = formulas.compile_scalar(inputs, outputs, registry)
    wrong: dict[str, tuple] = {}
    for values, row in zip(sample.iter_rows(named=True), swept.iter_rows(named=True), strict=True):
        got = answer(values)
        for column in outputs:
            if not same(got[column], row[column]):
                wrong.setdefault(column, (got[column], row[column], values))
    assert not wrong, {c: v[:2] for c, v in wrong.items()}
    assert len(outputs) > 80  # every output column of the study was compared


@pytest.mark.parametrize("study", ["node", "serving", "training"])
def test_every_study_formula_builds_under_the_scalar_backend(study):
    prepared = prepared_study(study)
    registry = getattr(prepared.study, "FORMULAS", formulas.REGISTRY)
    wanted = formulas.computable_from(prepared.space.units, prepared.study.OUTPUTS, registry)
    assert len(wanted) > 50
    formulas.compile_scalar(prepared.space.units, wanted, registry)


def test_a_pass_again_at_other_columns_gives_the_plans_values_under_its_suffix():
    """2e12 FLOP at 1e15 FLOP/s = 2 ms, 8e12 = 8 ms; 1.6e10 B at 3.2e12 B/s = 5 ms: 5 ms, then 8 ms."""
    frame = pl.LazyFrame({"flop": [2e12], "peak": [1e15], "bytes_moved": [1.6e10], "bandwidth": [3.2e12],
                          "flop_two": [2e12], "flop_eight": [8e12]})
    inputs = INPUTS | {"flop_two": unit("FLOP"), "flop_eight": unit("FLOP")}
    out = frame
    for source, suffix in (("flop_two", "__two"), ("flop_eight", "__eight")):
        plan = formulas.again(out, inputs, ["latency_ms"], ROOFLINE, rebind={"flop": source}, suffix=suffix)
        assert plan.units == {f"latency_ms{suffix}": unit("ms")}
        out = plan.frame
    row = out.collect().row(0, named=True)
    assert (row["latency_ms__two"], row["latency_ms__eight"]) == pytest.approx((5.0, 8.0), rel=1e-15)
    want = formulas.plan(frame, inputs, ["latency_ms"], ROOFLINE, rebind={"flop": "flop_eight"}, suffix="__eight",
                         keep=True).frame.collect()
    assert row["latency_ms__eight"] == want["latency_ms__eight"].item()  # the plan's own value, to the bit


def test_a_pass_again_is_compiled_once_per_content(monkeypatch):
    """Other suffixes and rebound columns reuse the compiled pass; changed content (an input's unit) builds anew."""
    built = []
    compile_ = formulas._compile
    monkeypatch.setattr(formulas, "_compile", lambda *a: built.append(a[4]) or compile_(*a))
    frame = pl.LazyFrame({"flop": [2e12], "peak": [1e15], "bytes_moved": [1.6e10], "bandwidth": [3.2e12]})
    inputs = dict(INPUTS) | {"anything": unit("")}  # not in any earlier test's key
    for k in range(3):
        formulas.again(frame.with_columns(pl.col("flop").alias(f"flop_{k}")), inputs, ["time_s"], ROOFLINE,
                       rebind={"flop": f"flop_{k}"}, suffix=f"__it{k}")
    assert built == [formulas.PASS]
    formulas.again(frame, inputs | {"flop": unit("GFLOP")}, ["time_s"], ROOFLINE, rebind={"flop": "flop"},
                   suffix="__giga")
    assert built == [formulas.PASS, formulas.PASS]


def test_a_pass_again_must_compute_its_outputs():
    frame = pl.LazyFrame({"flop": [2e12], "peak": [1e15]})
    with pytest.raises(formulas.FormulaGraphError, match="computed columns"):
        formulas.again(frame, INPUTS, ["peak"], ROOFLINE, suffix="__x")
