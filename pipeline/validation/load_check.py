"""Wall 7's closed form beside the discrete-event simulation of the same policy, at load points
from idle to near the configuration's own capacity (``mlsys bench --load``, tests/validation)."""

from __future__ import annotations

from pipeline.catalogs.load import Catalogs
from pipeline.errors import InputError, Problem
from pipeline.spec import parse_spec
from pipeline.studies import single
from pipeline.validation.simulate import replica_from_values, simulate

CONFIGURATION = {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "precision": ["fp16"], "tp": [1],
                 "batch": [256], "prompt_len": [1024], "output_len": [256]}
FRAMEWORK = "vLLM"
OTHERS = (CONFIGURATION | {"prompt_len": [2048], "output_len": [128]},  # prefill-heavy, short answers
          CONFIGURATION | {"model": ["Llama 2 70B"], "tp": [4]})  # a tensor-parallel replica
COMPARED = (("ttft_p50_s", "ttft_p50_s"), ("ttft_p99_s", "ttft_p99_s"), ("ttft_mean_s", "ttft_mean_s"),
            ("tpot_under_load_s", "tpot_mean_s"), ("tpot_p50_s", "tpot_p50_s"), ("tpot_p99_s", "tpot_p99_s"))


def answer(axes: dict, framework: str, rate: float, catalogs: Catalogs,
           compute_model: str | None = None) -> single.Answer:
    """The serving answer of one configuration at a request rate, its input values beside its row; a clear error
    where it does not run."""
    efficiency = {"framework": framework} | ({"compute_model": compute_model} if compute_model else {})
    spec = parse_spec({"study": "serving", "axes": axes | {"request_rate": [rate]}, "efficiency": efficiency},
                      "load check")
    found = single.answer(spec, catalogs)
    if found is None or found.dropped is not None:
        raise InputError("load check", [Problem(None, None, f"the configuration {axes} does not run: "
                                                            f"{None if found is None else found.dropped}")])
    return found


def capacity(axes: dict, framework: str, catalogs: Catalogs, compute_model: str | None = None) -> float:
    """Requests/s one replica of the configuration sustains (wall 7's capacity)."""
    return answer(axes, framework, 1.0, catalogs, compute_model).rows[0]["capacity_requests_per_s"]


def compare(fractions: list[float], catalogs: Catalogs, axes: dict | None = None, framework: str = FRAMEWORK,
            requests: int = 4000, seed: int = 0, compute_model: str | None = None) -> list[dict]:
    """At each fraction of capacity: the closed form's P50/P99 TTFT and TPOT, the simulation's, and
    the relative errors (closed form / simulation - 1). ``compute_model``: the spec's (None: the
    serving default)."""
    axes = CONFIGURATION if axes is None else axes
    mu = capacity(axes, framework, catalogs, compute_model)
    out = []
    for fraction in fractions:
        rate = fraction * mu
        found = answer(axes, framework, rate, catalogs, compute_model)
        row, values = found.rows[0], found.inputs[0]
        simulated = simulate(replica_from_values(values, found.units, found.registry), rate / values["replicas"],
                             requests=requests, warmup=requests // 10, seed=seed)
        point = {"fraction": fraction, "request_rate": rate, "batch_in_flight": row["batch_in_flight"]}
        for closed, des in COMPARED:
            point[closed] = row[closed]
            point[f"des_{closed}"] = getattr(simulated, des)
            point[f"error_{closed}"] = row[closed] / getattr(simulated, des) - 1.0
        out.append(point)
    return out
