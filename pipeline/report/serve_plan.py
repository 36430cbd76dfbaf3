"""``mlsys serve-plan``'s search (issue 16 item 6): the serving study swept over the layouts,
precisions, batches and request rates that fit in N GPUs, then every aggregated and disaggregated
deployment built from its rows (``pipeline.studies.disaggregated``), the Pareto frontier of
tokens/s per GPU against tokens/s per user under the SLA, the best deployment of each kind, or,
where none meets the SLA, the nearest ones and the constraint that binds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import polars as pl

from pipeline import runs
from pipeline.catalogs.load import load_catalogs
from pipeline.errors import InputError, Problem
from pipeline.spec import parse_spec
from pipeline.studies import disaggregated as study

BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
RATE_LOW, RATE_STEP, RATES = 0.01, 1.3, 48  # per-replica request rates: 0.01 ... ~2,900 requests/s
PRECISIONS = ("bf16", "fp8")
DEFAULT_REGION = "United States"  # the operations columns' region for the cloud price


@dataclass(frozen=True)
class Request:
    model: str
    hardware: str
    gpus: int
    ttft_s: float
    tpot_s: float
    ttft_percentile: str = "p99"
    tpot_percentile: str = "mean"
    dataset: str | None = None
    isl: int | None = None
    osl: int | None = None
    precisions: tuple[str, ...] = PRECISIONS
    cluster: str | None = None
    region: str = DEFAULT_REGION
    draft_model: str | None = None
    spec_draft_tokens: int = 0
    spec_acceptance: float | None = None
    batches: tuple[int, ...] = tuple(BATCHES)
    registry: str | None = None
    dual_batch_overlap: bool = False  # serving.dual_batch_overlap of the sweep
    redundant_experts: int = 0  # EPLB slots: the sweep tries 0 and this, with the EP sizes that divide E + r


@dataclass
class Result:
    request: Request
    network: study.Network | None
    candidates: dict[str, int]
    frontier: pl.DataFrame
    best: dict[str, dict]
    nearest: pl.DataFrame | None
    seconds: dict[str, float] = field(default_factory=dict)
    model_path: str = ""
    draft_path: str | None = None  # the draft model's repository, for the launch settings


def problems(req: Request) -> list[Problem]:
    """Every bad option before anything runs (names are checked by the sweep and the catalogs)."""
    out = []
    if req.gpus < 1:
        out.append(Problem(None, "--gpus", f"got {req.gpus}, expected a number of GPUs >= 1"))
    for name, value in (("--ttft", req.ttft_s), ("--tpot", req.tpot_s)):
        if not value > 0:
            out.append(Problem(None, name, f"got {value} s, expected a time > 0"))
    for name, value in (("--isl", req.isl), ("--osl", req.osl)):
        if value is not None and value < 1:
            out.append(Problem(None, name, f"got {value}, expected a number of tokens >= 1"))
    if any(b < 1 for b in req.batches):
        out.append(Problem(None, "--batch", f"got {min(req.batches)}, expected max running sequences >= 1"))
    if req.ttft_percentile not in study.PERCENTILES:
        out.append(Problem(None, "--ttft-percentile", f"got {req.ttft_percentile!r}, expected one of "
                                                      f"{', '.join(study.PERCENTILES)}"))
    if req.tpot_percentile not in study.TPOT_PERCENTILES:
        out.append(Problem(None, "--tpot-percentile", f"got {req.tpot_percentile!r}, expected one of "
                                                      f"{', '.join(study.TPOT_PERCENTILES)}"))
    if req.dataset is None and (req.isl is None or req.osl is None):
        out.append(Problem(None, "--dataset", "give a dataset (workloads catalog) or both --isl and --osl"))
    if req.dataset is not None and (req.isl is not None or req.osl is not None):
        out.append(Problem(None, "--dataset", "sets the lengths from the workloads catalog: give it or --isl/--osl, "
                                              "not both"))
    if req.spec_acceptance is not None and not 0.0 <= req.spec_acceptance <= 1.0:
        out.append(Problem(None, "--spec-acceptance", f"got {req.spec_acceptance}, expected an acceptance rate in "
                                                      "[0, 1]"))
    if req.spec_draft_tokens < 0:
        out.append(Problem(None, "--spec-draft-tokens", f"got {req.spec_draft_tokens}, expected >= 0"))
    if req.redundant_experts < 0:
        out.append(Problem(None, "--redundant-experts", f"got {req.redundant_experts}, expected >= 0"))
    if req.draft_model and req.spec_draft_tokens == 0:
        out.append(Problem(None, "--draft-model", "speculates only with --spec-draft-tokens > 0"))
    return out


def powers_of_two(limit: int) -> list[int]:
    return [2 ** i for i in range(limit.bit_length()) if 2 ** i <= limit]


def expert_sizes(gpus: int, experts: int | None, redundant: int) -> list[int]:
    """EP sizes to try: powers of two, and with r redundant experts every size up to ``gpus`` that
    divides the E + r slots (DeepSeek's EP144 and SGLang's EP72 hold 256 + 32)."""
    sizes = set(powers_of_two(gpus))
    if redundant and experts:
        sizes |= {d for d in range(2, gpus + 1) if (experts + redundant) % d == 0}
    return sorted(sizes)


def spec(req: Request, moe: bool = False, experts: int | None = None) -> dict:
    """The serving sweep behind the search: layouts within the GPUs (an MoE model also over expert-
    parallel sizes, which may cross nodes of ``--cluster``, with and without ``redundant_experts``; the
    serving study drops the ep that do not divide its expert slots or are not a multiple of tp),
    precisions, batches and a geometric grid of per-replica request rates (wall 7's load columns)."""
    axes = {"model": [req.model], "hardware": [req.hardware], "tp": powers_of_two(req.gpus),
            "pp": powers_of_two(req.gpus), "batch": list(req.batches), "precision": list(req.precisions),
            "request_rate": [round(RATE_LOW * RATE_STEP ** i, 6) for i in range(RATES)], "region": [req.region]}
    if moe:
        axes |= {"ep": expert_sizes(req.gpus, experts, req.redundant_experts)} | (
            {"cluster": [req.cluster]} if req.cluster else {})
        axes |= {"redundant_experts": [0, req.redundant_experts]} if req.redundant_experts else {}
    axes |= {"dataset": [req.dataset]} if req.dataset else {"prompt_len": [req.isl], "output_len": [req.osl]}
    if req.spec_draft_tokens > 0:
        axes |= {"spec_draft_tokens": [req.spec_draft_tokens], "spec_acceptance": [req.spec_acceptance or 0.0]}
        axes |= {"draft_model": [req.draft_model]} if req.draft_model else {}
    return {"study": "serving", "axes": axes} | ({"serving": {"dual_batch_overlap": True}}
                                                 if req.dual_batch_overlap else {})


def network(clusters: pl.DataFrame, hardware: str, name: str | None) -> study.Network | None:
    """The scale-out fabric KV crosses: the named cluster, else the first of the catalog's clusters
    built of this accelerator (by name); None where none is (no disaggregated deployment then)."""
    if name is not None:
        rows = clusters.filter(pl.col("name") == name)
        if rows.is_empty():
            raise InputError("serve-plan", [Problem("clusters", "--cluster", f"{name!r} is not in the clusters "
                                                    f"catalog; known: {', '.join(clusters['name'].sort())}")])
        if rows["accelerator"][0] != hardware:
            raise InputError("serve-plan", [Problem("clusters", "--cluster", f"{name!r} is built of "
                                                    f"{rows['accelerator'][0]!r}, not {hardware!r}")])
    else:
        rows = clusters.filter(pl.col("accelerator") == hardware).sort("name")
    rows = rows.filter(pl.col("nic_bandwidth_bits_per_s").is_not_null() & pl.col("nics_per_node").is_not_null())
    if rows.is_empty():
        return None
    r = rows.row(0, named=True)
    return study.Network(r["name"], r["nic_bandwidth_bits_per_s"] / 8.0,
                         r["nics_per_node"] / r["accelerators_per_node"], r["scaleout_latency_s"] or 0.0)


def model_path(models: pl.DataFrame, model: str) -> str:
    """The Hugging Face repository of the model (its catalog source), else its name quoted."""
    url = models.filter(pl.col("name") == model)["source_url"].to_list()
    prefix = "https://huggingface.co/"
    if url and url[0] and url[0].startswith(prefix):
        return "/".join(url[0][len(prefix):].split("/")[:2])
    return f"'{model}'"


def search(rows: pl.DataFrame, req: Request, net: study.Network | None) -> dict:
    """Every candidate deployment of both kinds: their counts, and per kind the frontier and the
    nearest misses, with the workers' columns joined back to those rows only."""
    sla = study.Sla(req.ttft_s, req.tpot_s, req.ttft_percentile, req.tpot_percentile)
    lazy = rows.lazy()
    kinds = {"aggregated": (study.aggregated(lazy, req.gpus, sla), None)}
    if net is not None:
        kinds["disaggregated"] = study.disaggregated(lazy, req.gpus, sla, net)
    frames = dict(zip(kinds, pl.collect_all([frame for frame, _ in kinds.values()]), strict=True))
    out = {"counts": {k: f.height for k, f in frames.items()}, "frontier": {}, "nearest": {}}
    for kind, frame in frames.items():
        matched = kinds[kind][1]
        front, near = study.frontier(frame.lazy(), []), study.nearest(frame.lazy())
        if matched is not None:
            front, near = study.with_pairs(front, matched), study.with_pairs(near, matched)
        out["frontier"][kind], out["nearest"][kind] = pl.collect_all([front, near])
    return out


def plan(req: Request) -> Result:
    """Sweep, search, and the answer (module docstring)."""
    bad = problems(req)
    if bad:
        raise InputError("serve-plan", bad)
    t0 = time.perf_counter()
    moe_rows = load_catalogs(req.registry).models.filter((pl.col("name") == req.model) & pl.col("is_moe"))
    experts = moe_rows["n_experts"].item() if moe_rows.height else None
    prepared = runs.prepare(parse_spec(spec(req, moe_rows.height > 0, experts), "serve-plan"), req.registry)
    net = network(prepared.catalogs.clusters, req.hardware, req.cluster)
    rows = runs.collect(prepared)
    t1 = time.perf_counter()
    found = search(rows, req, net)
    fronts = found["frontier"]
    best = {kind: f.sort(study.FRONTIER_X, descending=True).row(0, named=True) for kind, f in fronts.items()
            if f.height}
    frontier = study.frontier(pl.concat(list(fronts.values()), how="diagonal_relaxed").lazy(), []).collect()
    near = None if frontier.height else pl.concat(list(found["nearest"].values()), how="diagonal_relaxed").sort(
        "miss")
    t2 = time.perf_counter()
    return Result(req, net, found["counts"], frontier, best, near,
                  {"sweep": t1 - t0, "search": t2 - t1, "rows": float(rows.height)},
                  model_path(prepared.catalogs.models, req.model),
                  model_path(prepared.catalogs.models, req.draft_model) if req.draft_model else None)
