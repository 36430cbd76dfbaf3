"""Wall 7's closed loop (pipeline.walls.closed_loop, issue 12): the closed form against the discrete-event simulation
of the same loop at several concurrencies (mean TTFT and TPOT within 10 %), cases worked by hand, the request
rate's closed form (a cubic) against a bisection of X R(X) = c, and the serving rows of a benchmark at a fixed
concurrency."""

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


CUBICS = [((-6.0, 11.0, -6.0), 3.0),  # (x - 1)(x - 2)(x - 3): three real roots
          ((-4.0, 1.0, -4.0), 4.0),  # (x - 4)(x^2 + 1): one real root
          ((0.0, 0.0, -2.0), 2.0 ** (1.0 / 3.0)),  # x^3 - 2: one real root, R < 0
          ((-1.0, 0.0, 0.0), 1.0)]  # x^2 (x - 1): a double root at 0


@pytest.mark.parametrize(("coefficients", "root"), CUBICS)
def test_largest_cubic_root_by_hand(coefficients, root):
    """Numerical Recipes' closed form on cubics whose roots are known, on polars and on plain values."""
    import polars as pl

    from pipeline import scalar
    from pipeline.units import expression_library
    from pipeline.walls.closed_loop import largest_cubic_root

    frame = pl.DataFrame([coefficients], schema=["a", "b", "c"], orient="row")
    got = frame.select(largest_cubic_root(pl.col("a"), pl.col("b"), pl.col("c")).alias("x")).item()
    with expression_library(scalar):
        function = scalar.compile_function({"x": largest_cubic_root(scalar.col("a"), scalar.col("b"),
                                                                   scalar.col("c"))})
    assert got == pytest.approx(root, rel=1e-12, abs=1e-12)
    assert function(dict(zip("abc", coefficients)))["x"] == pytest.approx(got, rel=1e-15, abs=1e-15)


def _rate_and_cycle():
    """``closed_loop_rate`` and ``closed_loop_cycle`` at that rate, and ``closed_loop_cycle`` at the value ``rate``,
    compiled for plain values."""
    from pipeline import scalar
    from pipeline.studies.serving_load import closed_loop_cycle, closed_loop_rate
    from pipeline.units import expression_library

    with expression_library(scalar):
        parts = [scalar.col(name) for name in ("users", "g", "d", "tau_p", "share", "chunks")]
        rate = closed_loop_rate(*parts)
        return (scalar.compile_function({"rate": rate, "cycle": closed_loop_cycle(rate, *parts)[0]}),
                scalar.compile_function({"cycle": closed_loop_cycle(scalar.col("rate"), *parts)[0]}))


def test_closed_loop_rate_by_hand():
    """c = 3 users, G = 3, d = 12.5 ms, tau_p = 100 ms in one chunk: at X = 7.5/s the others' rho = 7.5 x 2/3 x
    0.1 = 0.5, TTFT = 25 + 12.5 + 100 + 12.5 = 150 ms, TPOT = 25 + 0.05 / (0.25 x 2) = 125 ms, R = 150 + 2 x 125 =
    400 ms = 3 / 7.5 s. One user: X = 1 / (tau_p + (G - 1) d) = 1 / 0.125 s."""
    solve, _ = _rate_and_cycle()
    known = {"users": 3.0, "g": 3.0, "d": 0.0125, "tau_p": 0.1, "share": 1.0, "chunks": 1.0}
    assert solve(known)["rate"] == pytest.approx(7.5, rel=1e-14)
    assert solve(known | {"users": 1.0})["rate"] == pytest.approx(8.0, rel=1e-15)


def test_closed_loop_rate_solves_the_cycle():
    """X R(X) = c to 1e-13 with R ``closed_loop_cycle``'s, and the same X as a 100-step bisection of X R(X) = c
    (X R grows with X, from 0 to the bound of rho < 1 or of R >= tau_p + (G - 1) d), over users (a fraction of a
    user too), lengths, decode passes, prefills from 1 µs to 30 s, stage shares and chunks; on polars as on plain
    values."""
    import random

    import polars as pl

    from pipeline.studies.serving_load import closed_loop_rate

    (solve, cycle), draw, rows = _rate_and_cycle(), random.Random(12), []
    for _ in range(300):
        known = {"users": draw.choice([1.0, 1.0 + draw.random(), float(draw.randint(2, 5000))]),
                 "g": float(draw.choice([2, 16, 128, 1024, 8192])), "d": 10 ** draw.uniform(-4, -0.5),
                 "tau_p": 10 ** draw.uniform(-6, 1.5), "share": draw.choice([1.0, 0.5, 1 / 8]),
                 "chunks": float(draw.randint(1, 16))}
        out = solve(known)
        assert out["rate"] * out["cycle"] == pytest.approx(known["users"], rel=1e-13), known
        low, high = 0.0, known["users"] / (known["tau_p"] + (known["g"] - 1.0) * known["d"])  # R >= that
        if known["users"] > 1.0:  # and the others' rho < 1
            high = min(high, known["users"] / ((known["users"] - 1.0) * known["tau_p"] * known["share"]))
        for _ in range(100):
            mid = (low + high) / 2.0
            low, high = (low, mid) if mid * cycle(known | {"rate": mid})["cycle"] > known["users"] else (mid, high)
        rows.append(known | {"scalar": out["rate"]})
        assert out["rate"] == pytest.approx(low, rel=1e-12), known
    frame = pl.DataFrame(rows)
    got = frame.select(closed_loop_rate(*(pl.col(n) for n in ("users", "g", "d", "tau_p", "share", "chunks"))))
    assert got.to_series().to_list() == pytest.approx(frame["scalar"].to_list(), rel=1e-14)


def test_a_group_of_itl_rows_alone_is_under_load(catalogs):
    """A concurrency's ITL rows predicted alone read wall 7's closed loop, as beside their TTFT rows: r-infx found five
    ITL rows of one InferenceX configuration (DeepSeek-R1, H200, SGLang TP8, 1k/1k) read unloaded when alone, one value
    at concurrency 4 and 64 (96.6 ms), because picking took the group's TTFT column as the sign of load."""
    import polars as pl

    from pipeline.validation.measurements import read_measurements
    from pipeline.validation.predict import predict

    rows = read_measurements(None, catalogs).rows.filter(
        pl.col("name").str.starts_with("infx-dsr1-h200-sglang-fp8-tp8-isl1024-osl1024-c")
        & pl.col("concurrency").is_in([4, 64]) & pl.col("metric").is_in(["ttft_s", "itl_s"]))
    assert rows.height == 4

    def itl(of: pl.DataFrame) -> list[float]:
        out = of.select("name", "concurrency").join(predict(of, catalogs), on="name")
        return out.filter(pl.col("name").str.ends_with("-itl")).sort("concurrency")["predicted"].to_list()

    alone, beside = itl(rows.filter(pl.col("metric") == "itl_s")), itl(rows)
    assert alone == pytest.approx(beside, rel=1e-12)
    assert alone[0] < alone[1] / 2  # 4 users' decode round against 64's: the loop's batch, not the cap's
