"""[axes]: each axis's values range-checked one by one, the index of a bad one named."""

from __future__ import annotations

import pytest

from pipeline.errors import InputError
from pipeline.spec import parse_spec

NAN = float("nan")
POSITIVE_INT = ([0, -1, 1.5, NAN, "8", True], "an integer > 0")
NAMES = ([3, "", True, NAN], "a name")

# (study, axis, bad values, what the message expects); serving and training lengths, layouts and
# batches are counts (> 0); replicas are bounded like devices (2^20)
AXES = [
    ("node", "batch", *POSITIVE_INT),
    ("node", "seq_len", *POSITIVE_INT),
    ("node", "compute_dtype", *NAMES),
    ("node", "region", *NAMES),
    ("node", "workload", ["serving", "", 1], "one of inference, training"),
    ("serving", "tp", *POSITIVE_INT),
    ("serving", "pp", *POSITIVE_INT),
    ("serving", "prompt_len", *POSITIVE_INT),
    ("serving", "output_len", *POSITIVE_INT),
    ("serving", "weight_dtype", *NAMES),
    ("serving", "kv_dtype", *NAMES),
    ("serving", "precision", *NAMES),
    ("serving", "distill_to", *NAMES),
    ("serving", "reasoning_tokens", [-1, 0.5, NAN, True], "an integer >= 0"),
    ("serving", "request_rate", [0, -1.0, NAN, "1", True], "a number > 0"),
    ("serving", "replicas", [0, -1, NAN, True], "an integer > 0"),
    ("serving", "prune_ratio", [1, -0.1, NAN, True], "a number in [0, 1)"),
    ("training", "tp", *POSITIVE_INT),
    ("training", "gpus", *POSITIVE_INT),
    ("training", "dp", *POSITIVE_INT),
    ("training", "cp", *POSITIVE_INT),
    ("training", "ep", *POSITIVE_INT),
    ("training", "microbatch", *POSITIVE_INT),
    ("training", "global_batch", *POSITIVE_INT),
    ("training", "virtual_stages", *POSITIVE_INT),
    ("training", "zero_stage", [4, -1, 1.5, True, "3"], "one of 0, 1, 2, 3 (3 = FSDP)"),  # ZeRO 1-3, 0: none
    ("training", "recompute", ["some", "", 1], "one of none, selective, projections, full"),
    ("training", "sequence_parallel", [0, 1, "true"], "true or false"),
    ("training", "cluster", *NAMES),
]
GOOD = {"compute_dtype": "fp8", "region": "France", "workload": "training", "weight_dtype": "int4",
        "kv_dtype": "fp8", "precision": "fp8", "distill_to": "Llama 3 8B", "cluster": "x", "prune_ratio": 0.5,
        "recompute": "full", "sequence_parallel": False, "zero_stage": 3}
CASES = [(study, axis, bad, what) for study, axis, bads, what in AXES for bad in bads]
IDS = [f"{s}.{a}={b!r}" for s, a, b, _ in CASES]


def problems(raw: dict) -> dict[str, str]:
    with pytest.raises(InputError) as exc:
        parse_spec(raw)
    return {p.column: p.message for p in exc.value.problems}


@pytest.mark.parametrize("study, axis, bad, what", CASES, ids=IDS)
def test_a_bad_value_in_an_axis_is_named_by_its_index(study, axis, bad, what):
    good = GOOD.get(axis, 1)
    found = problems({"study": study, "axes": {axis: [good, bad]}})
    assert found == {f"axes.{axis}[1]": f"got {bad!r}, expected {what}"}


@pytest.mark.parametrize("study, axis, bad, what", CASES, ids=IDS)
def test_a_bad_single_value_is_named_by_its_key(study, axis, bad, what):
    extra = ' or "all"' if axis in ("cluster",) else ""
    assert problems({"study": study, "axes": {axis: bad}}) == {f"axes.{axis}": f"got {bad!r}, expected {what}{extra}"}


@pytest.mark.parametrize("study, axis", sorted({(s, a) for s, a, *_ in AXES}))
def test_an_empty_axis_is_named(study, axis):
    found = problems({"study": study, "axes": {axis: []}})
    assert list(found) == [f"axes.{axis}"] and found[f"axes.{axis}"].startswith("got [], expected a non-empty list")


@pytest.mark.parametrize("study, axis", [("node", "tp"), ("node", "cluster"), ("serving", "zero_stage"),
                                         ("training", "prompt_len"), ("node", "colour")])
def test_an_axis_of_another_study_is_an_unknown_key(study, axis):
    found = problems({"study": study, "axes": {axis: [1]}})
    assert list(found) == [f"axes.{axis}"] and found[f"axes.{axis}"].startswith("unknown key; expected one of")


def test_a_single_value_is_an_axis_of_one():
    spec = parse_spec({"study": "serving", "axes": {"tp": 4, "request_rate": 2, "model": "Llama 2 7B"}})
    assert spec.axes.tp == (4,) and spec.axes.request_rate == (2.0,) and spec.axes.model == ("Llama 2 7B",)


def test_precision_sets_three_dtypes_and_cannot_be_mixed_with_them():
    spec = parse_spec({"study": "serving", "axes": {"precision": ["fp16", "fp8"]}})
    a = spec.axes
    assert a.compute_dtype == a.weight_dtype == a.kv_dtype == ("fp16", "fp8") and a.precision_tied
    assert problems({"study": "serving", "axes": {"precision": ["fp8"], "kv_dtype": ["fp8"]}}) == {
        "axes.precision": "sets weight, KV and compute dtypes; remove axes.kv_dtype"}


def test_gpus_or_dp_sets_the_data_parallel_size():
    assert parse_spec({"study": "training"}).axes.gpus == (8, 64, 512, 4096)  # training.toml's comment
    by_dp = parse_spec({"study": "training", "axes": {"dp": [4]}}).axes
    assert by_dp.gpus is None and by_dp.dp == (4,)
    assert list(problems({"study": "training", "axes": {"gpus": [8], "dp": [1]}})) == ["axes.dp"]


def test_the_training_study_trains():
    assert parse_spec({"study": "training", "axes": {"workload": ["inference"]}}).axes.workload == ("training",)


# -- issue 14 item 3: bounded axes, no repeated values, no huge lists ---------------------------------

@pytest.mark.parametrize(("study", "axis", "largest"), [
    ("node", "batch", 2**20), ("node", "seq_len", 2**24), ("serving", "prompt_len", 2**24),
    ("serving", "output_len", 2**24), ("serving", "reasoning_tokens", 2**24), ("serving", "tp", 2**20),
    ("training", "gpus", 2**20), ("training", "dp", 2**20), ("training", "microbatch", 2**20),
    ("serving", "replicas", 2**20),  # 64 once, for an Erlang recurrence wall 7 no longer has; an NVL72 at TP1 is 72
])
def test_axes_stop_at_their_documented_maxima(study, axis, largest):
    """README, "The sweep spec": 2^20 sequences per step, 2^24 tokens, 2^20 devices; the int64 maximum
    once wrote tokens_per_step = -8192 (overflow) and seq_len = 10^12 an empty run."""
    assert getattr(parse_spec({"study": study, "axes": {axis: [largest]}}).axes, axis) == (largest,)
    for too_big in (largest + 1, 10**12, 2**63 - 1):
        assert problems({"study": study, "axes": {axis: [1, too_big]}}) == {
            f"axes.{axis}[1]": f"got {too_big!r}, expected an integer <= {largest}"}


@pytest.mark.parametrize(("axis", "values"), [("batch", [8, 16, 8]), ("compute_dtype", ["fp8", "fp16", "fp8"]),
                                              ("seq_len", [512, 2048, 512])])
def test_a_repeated_value_is_rejected(axis, values):
    """batch = [8, 8] wrote every configuration twice."""
    assert problems({"axes": {axis: values}}) == {
        f"axes.{axis}[2]": f"got {values[2]!r} again (also [0]), expected distinct values"}


def test_a_huge_list_is_refused_before_its_values_are_checked():
    """A 100 MB list of unknown names took minutes (each name got suggestions)."""
    found = problems({"axes": {"model": [f"no such model {i}" for i in range(200_000)]}})
    assert found == {"axes.model": "has 200,000 values, expected at most 10,000 (split the sweep into several specs)"}
