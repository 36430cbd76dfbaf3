"""Wall 7's closed loop (pipeline.walls.closed_loop, issue 12): the closed form against the discrete-event simulation
of the same loop at several concurrencies (mean TTFT and TPOT within 10 %), cases worked by hand, and the
serving rows of a benchmark at a fixed concurrency."""

from __future__ import annotations

import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.errors import InputError
from pipeline.spec import parse_spec
from pipeline.studies import serving
from pipeline.validation.predict import SPEC_INPUTS, measurement_spec
from pipeline.validation.simulate import Replica, closed_loop, replica_from_values
from pipeline.walls.closed_loop import closed_loop_ttft

USERS = [1, 4, 16, 64, 200]
AXES = {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "precision": ["fp16"], "tp": [1], "batch": [256],
        "prompt_len": [1024], "output_len": [256], "concurrency": USERS}
SPREAD = 0.3  # the simulated lengths' standard deviation / mean (fixed lengths lock users into cohorts: CHANGELOG)


@pytest.fixture(scope="module")
def catalogs():
    return load_catalogs()


@pytest.fixture(scope="module")
def points(catalogs) -> list[tuple[dict, object]]:
    spec = parse_spec({"study": "serving", "axes": AXES, "efficiency": {"framework": "vLLM",
                                                                       "compute_model": "profile"}}, "closed loop")
    space = serving.build_space(catalogs, spec)
    frame, units = serving.inputs(space)
    rows = serving.build(space).frame.collect().to_dicts()
    out = []
    for c, values, row in zip(USERS, frame.collect().to_dicts(), rows, strict=True):
        spread = {"input_tokens_std": SPREAD * values["prompt_len"], "output_tokens_std": SPREAD * values["output_len"]}
        out.append((row, closed_loop(replica_from_values(values | spread, units, serving.FORMULAS), c, requests=3000,
                                     warmup=600)))
    return out


@pytest.mark.parametrize("k", range(len(USERS)), ids=[f"c{c}" for c in USERS])
def test_closed_form_matches_the_simulation(points, k):
    row, sim = points[k]
    assert row["ttft_mean_s"] / sim.ttft_mean_s - 1.0 == pytest.approx(0.0, abs=0.10)
    assert row["tpot_under_load_s"] / sim.tpot_mean_s - 1.0 == pytest.approx(0.0, abs=0.10)
    assert row["request_rate"] / sim.requests_per_s - 1.0 == pytest.approx(0.0, abs=0.05)


def test_one_user_waits_for_nobody(points):
    """One user: TTFT is its own prefill, TPOT a decode pass at batch 1, X = 1 / (TTFT + (G - 1) TPOT)."""
    row, _ = points[0]
    assert row["batch_in_flight"] == pytest.approx(1.0)
    assert row["request_rate"] == pytest.approx(1.0 / (row["ttft_mean_s"] + 255 * row["tpot_under_load_s"]), rel=1e-6)


def test_closed_loop_ttft_by_hand():
    """d = 40 ms, rho = 0.4 (E[C] = 40 / 0.6 = 66.7 ms), tau = 337 ms in one chunk: busy 66.7 + 40 + 337 + 0.4 x
    66.7 = 470.3 ms; two chunks: 66.7 + 80 + 337 + 53.3 = 537 ms; alone (busy 0, rho 0): 337 ms."""
    assert closed_loop_ttft(1.0, 0.040, 0.4, 0.337, 1.0) == pytest.approx(0.4703, abs=1e-4)
    assert closed_loop_ttft(1.0, 0.040, 0.4, 0.337, 2.0) == pytest.approx(0.5370, abs=1e-4)
    assert closed_loop_ttft(0.0, 0.040, 0.0, 0.337, 1.0) == pytest.approx(0.337)


def test_simulated_users_one_at_a_time_by_hand():
    """One user, 1,000-token prompt at 0.1 ms a token (0.1 s) then 10 more tokens 10 ms apart: a cycle of 0.2 s."""
    out = closed_loop(Replica(lambda b: 0.01, 1e-4, 0.0, 256, 8192, 1000, 11), 1, requests=100, warmup=10)
    assert out.ttft_mean_s == pytest.approx(0.1, rel=1e-9)
    assert out.tpot_mean_s == pytest.approx(0.01, rel=1e-9)
    assert out.requests_per_s == pytest.approx(1.0 / (0.2 + 1e-4), rel=0.01)  # and the client's 0.1 ms


def test_a_concurrency_row_is_a_closed_loop():
    """A TTFT row at concurrency 25 on 2 GPUs at TP2: one replica of 25 users, no request rate, the load cap."""
    row = dict.fromkeys(SPEC_INPUTS) | {
        "study": "serving", "scenario": "server", "metric": "ttft_s", "framework": "TensorRT-LLM",
        "model": "Llama 3.1 70B", "hardware": "H100 SXM5 80GB", "compute_dtype": "fp8", "weight_dtype": "fp8",
        "devices": 2, "tp": 2, "batch": 25, "prompt_len": 5000, "output_len": 500, "concurrency": 25}
    spec, reason = measurement_spec(row)
    assert reason is None
    assert spec["axes"]["concurrency"] == [25] and spec["axes"]["replicas"] == [1]
    assert "request_rate" not in spec["axes"] and spec["axes"]["batch"] == [4096]


def test_a_spec_gives_users_or_a_rate_not_both():
    with pytest.raises(InputError, match="axes.concurrency"):
        parse_spec({"study": "serving", "axes": {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"],
                                                 "concurrency": [8], "request_rate": [1.0]}}, "both")


def test_one_configuration_gives_what_the_sweep_gives(points, catalogs):
    """The single-configuration path (studies.single, serving_load.under_load_values) solves the same loop."""
    from pipeline.studies import single

    for c, (row, _) in zip(USERS, points, strict=True):
        spec = parse_spec({"study": "serving", "axes": AXES | {"concurrency": [c]},
                           "efficiency": {"framework": "vLLM", "compute_model": "profile"}}, "one")
        one = single.answer(spec, catalogs).rows[0]
        for column in ("request_rate", "ttft_mean_s", "tpot_under_load_s", "batch_in_flight"):
            assert one[column] == pytest.approx(row[column], rel=1e-6), (c, column)
