"""The 22-wall scorecard of one configuration: every wall with its key figures (with units),
whether it binds, and one line saying why, read from the same row a sweep computes.

The row comes from the study's own plan (node, serving or training); wall 22 (synthesis)
solves for the peak FLOP/s and the memory bandwidth that meet ``target_fraction`` x the
headline time by Newton steps in 1/x on the same plan: within one regime the headline is
R + A/x exactly, so each step lands on the target unless an operator changes regime, and
a few steps settle it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import polars as pl

from pipeline import formulas, runs
from pipeline.errors import InputError, Problem
from pipeline.report.format import MISSING, quantity
from pipeline.spec import parse_spec
from pipeline.studies import schema_columns
from pipeline.units import unit, unit_str

WALLS = [  # number, name, domain (DESIGN.md)
    (1, "compute", "node"), (2, "memory", "node"), (3, "software", "node"), (4, "serving", "node"),
    (5, "batching", "node"), (6, "streaming", "node"), (7, "tail latency", "node"), (8, "ingestion", "data"),
    (9, "transformation", "data"), (10, "locality", "data"), (11, "complexity", "algorithm"),
    (12, "reasoning", "algorithm"), (13, "fidelity", "algorithm"), (14, "communication", "fleet"),
    (15, "fragility", "fleet"), (16, "multi-tenant", "fleet"), (17, "capital", "operations"),
    (18, "sustainability", "operations"), (19, "checkpoint", "operations"), (20, "safety", "operations"),
    (21, "sensitivity", "analysis"), (22, "synthesis", "analysis"),
]
NAMES = {name: n for n, name, _ in WALLS}
HEADLINE = {"node": "latency_s", "serving": "itl_s", "training": "step_time_s"}
SYNTHESIS_INPUTS = {  # per study: the inputs wall 22 solves for, their units, and the row's analytic slope
    "node": {"peak_flop_per_s": ("FLOP/s", "elasticity_peak_flop_per_s"),
             "memory_bandwidth_bytes_per_s": ("B/s", "elasticity_memory_bandwidth")},
    "serving": {"peak_flop_per_s": ("FLOP/s", "elasticity_peak_flop_per_s"),
                "memory_bandwidth_bytes_per_s": ("B/s", "elasticity_memory_bandwidth"),
                "scaleup_link_bandwidth_bytes_per_s": ("B/s", "elasticity_link_bandwidth")},
    "training": {"peak_flop_per_s": ("FLOP/s", "elasticity_peak_flop_per_s"),
                 "scaleup_link_bandwidth_bytes_per_s": ("B/s", None),
                 "nic_bandwidth_bits_per_s": ("bit/s", None)},
}
CAPACITY = {"node": "memory_footprint_bytes", "serving": "memory_per_device_bytes", "training": "memory_per_gpu_bytes"}


@dataclass
class Wall:
    number: int
    name: str
    domain: str
    figures: list[tuple[str, Any, str]] = field(default_factory=list)  # (column, value, unit)
    binds: bool | None = None
    explanation: str = ""

    def as_dict(self) -> dict:
        return {"wall": self.number, "name": self.name, "domain": self.domain, "binds": self.binds,
                "figures": [{"column": c, "value": v, "unit": u} for c, v, u in self.figures],
                "explanation": self.explanation}


def _fig(row: dict, units: dict, *columns: str) -> list[tuple[str, Any, str]]:
    return [(c, row.get(c), units.get(c) or "") for c in columns if c in row]


def _synthesize(inputs: dict, units: dict, registry, headline: str, columns: list[str], now: float,
                target: float, elasticities: dict[str, float | None], steps: int = 8) -> dict[str, float | None]:
    """For each of ``columns``, the value at which ``headline`` equals ``target`` (None: no value of
    that input alone reaches it). Within a regime headline = R + A/x exactly: the row's elasticity
    e = -A/headline gives the first step, then secant steps in 1/x (the plan's formulas on the
    row's input values, ``inputs``) until a step lands on the target, which it does unless a term
    changes regime."""
    base = {c: inputs.get(c) for c in columns}
    points = {c: [(1.0, now)] for c in columns if base[c] is not None}  # (multiplier, headline)
    trial = {}
    for c in points:
        e = elasticities.get(c)
        a = -e * now if e is not None else None
        if a is None:
            trial[c] = 1.001  # no analytic slope: a second point instead
        elif a > 0 and target > now - a:
            trial[c] = a / (target - (now - a))
    found: dict[str, float | None] = {c: None for c in columns}
    at = {c: formulas.compile_scalar(units, [headline], registry, rebind={c: f"_x_{c}"}) for c in points}
    for _ in range(steps):
        if not trial:
            break
        values = [at[c](inputs | {f"_x_{c}": base[c] * k})[headline] for c, k in trial.items()]
        nxt = {}
        for (c, k), h in zip(trial.items(), values, strict=True):
            if h is None:
                continue
            if abs(h / target - 1) < 1e-12:
                found[c] = base[c] * k
                continue
            (k0, h0), points[c] = points[c][-1], [*points[c], (k, h)]
            a = (h0 - h) / (1 / k0 - 1 / k)  # h = R + A/k through the last two points
            r = h - a / k
            if a > 0 and target > r:
                nxt[c] = a / (target - r)
        trial = nxt
    return found


def scorecard(study: str, target_fraction: float = 0.8, region: str | None = "United States",
              registry=None, **configuration) -> list[Wall]:
    """All 22 walls of one configuration (``card`` without the row)."""
    return card(study, target_fraction, region, registry, **configuration).walls


@dataclass
class Card:
    """The configuration's row (as a sweep computes it), its units, and the 22 walls read from it."""
    study: str
    row: dict[str, Any]
    units: dict[str, str]
    walls: list[Wall]


def card(study: str, target_fraction: float = 0.8, region: str | None = "United States",
         registry=None, **configuration) -> Card:
    """All 22 walls of one configuration, with the row they are read from. ``configuration``:
    the study's axes as single values (node: model, hardware, batch, seq_len, compute_dtype,
    workload; serving: also tp, pp, prompt_len, output_len, request_rate, ...; training: model,
    cluster, gpus/dp, tp, pp, ...) and [training]/[operations] knobs under ``training=`` /
    ``operations=``."""
    if study not in HEADLINE:
        raise InputError("scorecard", [Problem(None, "study", f"got {study!r}, expected node, serving or training")])
    if not (isinstance(target_fraction, (int, float)) and target_fraction > 0):
        raise InputError("scorecard", [Problem(None, "target_fraction",
                                               f"got {target_fraction!r}, expected a number > 0")])
    knobs = {k: configuration.pop(k) for k in ("training", "operations", "efficiency", "overrides")
             if k in configuration}
    axes = {k: [v] for k, v in configuration.items() if v is not None}
    if region is not None:
        axes["region"] = [region]
    raw = {"study": study, "axes": axes, **knobs, "analysis": {"synthesis_target_fraction": target_fraction}}
    spec = parse_spec(raw, "scorecard")
    row, inputs, units, registry = _row(spec, registry)
    out_units = output_units(study)
    walls = {n: Wall(n, name, domain) for n, name, domain in WALLS}
    FILL[study](walls, row, out_units)
    _synthesis(walls[22], inputs, units, registry, study, row, target_fraction)
    return Card(study, row, out_units, [walls[n] for n, _, _ in WALLS])


def _row(spec, registry) -> tuple[dict, dict, dict, dict | None]:
    """The configuration's row (node: the decode step when there is one), the values and units
    of its plan's inputs, and the formulas: from ``pipeline.studies.single``, or from the sweep
    path for what that does not cover (overrides, an unknown name)."""
    from pipeline.catalogs.load import load_catalogs
    from pipeline.studies import single

    answer = None if spec.overrides else single.answer(spec, load_catalogs(registry))
    if answer is not None:
        if answer.dropped is not None:
            raise InputError("scorecard", [Problem(None, None, f"configuration dropped: {answer.dropped}")])
        pick = _pick([r["step"] for r in answer.rows]) if spec.study == "node" else 0
        return answer.rows[pick], answer.inputs[pick], answer.units, answer.registry
    prepared = runs.prepare(spec, registry)
    plan = prepared.study.build(prepared.space)
    rows = plan.frame.collect()
    if rows.height == 0:
        raise InputError("scorecard", [Problem(None, None, f"configuration dropped: {reason}")
                                       for reason in prepared.space.dropped] or [Problem(None, None, "no rows")])
    pick = _pick(rows["step"].cast(pl.String).to_list()) if spec.study == "node" else 0
    frame, units = prepared.study.inputs(prepared.space)
    if spec.study == "node":
        frame = frame.filter(pl.col("step") == rows["step"][pick])
    inputs = frame.head(1).collect().row(0, named=True)
    return rows.row(pick, named=True), inputs, units, getattr(prepared.study, "FORMULAS", None)


@cache
def output_units(study: str) -> dict[str, str]:
    """The unit of every output column of ``study`` as its schema writes it ("" for text and flags)."""
    return {c: (unit_str(unit(meta["unit"])) if meta["unit"] is not None else "")
            for c, meta in schema_columns(runs.STUDIES[study].SCHEMA).items()}


def _pick(steps: list[str]) -> int:
    """A decoder's inference gives prefill and decode: the decode step is the card."""
    return steps.index("decode") if "decode" in steps else 0


def _synthesis(wall: Wall, inputs: dict, units: dict, registry, study: str, row: dict, fraction: float) -> None:
    headline = HEADLINE[study]
    value = row.get(headline)
    if value is None:
        wall.explanation = "the configuration does not fit: no time to synthesize for"
        return
    target = value * fraction
    wall.figures.append((f"target_{headline}", target, "s"))
    columns = SYNTHESIS_INPUTS[study]
    slopes = {c: row.get(slope) if slope else None for c, (_, slope) in columns.items()}
    needs = _synthesize(inputs, units, registry, headline, list(columns), value, target, slopes)
    reached = [c for c in columns if needs[c] is not None]
    wall.figures += [(f"required_{c}", needs[c], u) for c, (u, _) in columns.items()]
    wall.figures.append(("required_memory_capacity_bytes", row.get(CAPACITY[study]), "B"))  # what must fit
    wall.binds = False
    wall.explanation = (f"{fraction:g} x {headline}: " + (
        ", ".join(reached) + " alone can reach it" if reached else "no single resource reaches it (other terms bind)"))


# -- per study: which columns each wall shows and when it binds ---------------------------------

def _common(walls: dict[int, Wall], row: dict, units: dict, headline: str) -> None:
    w = walls[16]
    w.figures = _fig(row, units, "queue_wait_mm1_s", "queue_wait_mg1_s")
    w.explanation = ("mean wait for a shared cluster at operations.shared_utilization"
                     if row.get("queue_wait_mm1_s") is not None else
                     "applies to a shared cluster: set [operations] shared_utilization")
    w = walls[17]
    w.figures = _fig(row, units, "cloud_price_usd_per_accelerator_hour", "cloud_cost_usd_per_h", "owned_cost_usd_per_h",
                     "owned_tco_usd")
    w.explanation = (f"rented at {row.get('cloud_offer')}" if row.get("cloud_offer") else
                     f"no cost: {row.get('cost_note') or 'no region given'}")
    w = walls[18]
    w.figures = _fig(row, units, "power_utilization", "device_power_w", "facility_power_w", "co2e_g_per_h",
                     "water_l_per_h")
    method = f" ({row['carbon_method']}-based grid intensity)" if row.get("carbon_method") else ""
    w.explanation = (f"{row.get('power_basis')}, in {row.get('region')}{method}" if row.get("region") else
                     "give a region for energy, carbon and water")
    w = walls[21]
    elasticities = [c for c in row if c.startswith("elasticity_")]
    w.figures = _fig(row, units, *elasticities)
    if "binding_input" in row:
        w.figures += _fig(row, units, "binding_input")
    w.explanation = f"d log {headline} / d log input; the largest magnitude is the input to change first"


def _fill_node(walls: dict[int, Wall], row: dict, units: dict) -> None:
    bound = str(row.get("bound"))
    walls[1].figures = _fig(row, units, "step_flop", "peak_flop_per_s", "eta_compute", "compute_time_s")
    walls[1].binds, walls[1].explanation = bound == "compute", "FLOPs / (peak x eta)"
    walls[2].figures = _fig(row, units, "bytes_moved", "memory_time_s", "memory_footprint_bytes",
                            "memory_headroom_bytes")
    walls[2].binds = bound == "memory" or not row.get("is_feasible")
    walls[2].explanation = "bytes / bandwidth; the footprint against capacity"
    walls[3].figures = _fig(row, units, "launch_overhead_s", "latency_s")
    walls[3].binds, walls[3].explanation = bound == "overhead", "kernel launches on the host"
    for n in (4, 5, 6, 7, 12):
        walls[n].explanation = "serving study (mlsys evaluate --study serving)"
    for n, column, what in ((8, "storage_utilization", "[data] storage"), (9, "host_utilization",
                                                                          "[data] data_pipeline")):
        walls[n].figures = _fig(row, units, column)
        walls[n].binds = (row.get(column) or 0) > 1
        walls[n].explanation = (f"training rows: demanded / supplied ({what})" if row.get(column) is not None
                                else f"training rows with {what} set")
    for n in (10, 14, 15, 19, 20):
        walls[n].explanation = "training study on a cluster (mlsys evaluate --study training)"
    walls[11].explanation = "training study (C = 6 N D for a token budget)"
    walls[13].explanation = "serving study (weight and KV precision)"
    _common(walls, row, units, "latency_s")


def _fill_serving(walls: dict[int, Wall], row: dict, units: dict) -> None:
    bound = str(row.get("bound"))
    walls[1].figures = _fig(row, units, "peak_flop_per_s", "eta_compute", "prefill_mlp_class_time_s")
    walls[1].binds = bound == "compute" or str(row.get("ttft_bound")) == "compute"
    walls[1].explanation = f"decode is {bound}-bound, prefill {row.get('ttft_bound')}-bound"
    walls[2].figures = _fig(row, units, "weights_per_device_bytes", "kv_cache_bytes_per_device",
                            "memory_per_device_bytes", "memory_headroom_bytes")
    walls[2].binds = bound == "memory" or not row.get("is_feasible")
    walls[2].explanation = "weights + KV cache + activations + reserve against capacity; decode reads them"
    walls[3].figures = _fig(row, units, "launch_overhead_s", "eta_memory")
    walls[3].binds, walls[3].explanation = bound == "overhead", "kernel launches per pass"
    walls[4].figures = _fig(row, units, "ttft_s", "itl_s", "e2e_latency_s", "tokens_per_s")
    walls[4].binds, walls[4].explanation = True, "the request's latency: prefill, then one ITL per token"
    walls[5].figures = _fig(row, units, "batch", "max_batch_static", "max_batch_paged")
    walls[5].binds = (row.get("max_batch_paged") or 0) < row.get("batch", 0)
    walls[5].explanation = "sequences that fit: static reservation vs paged KV cache"
    walls[6].figures = _fig(row, units, "weight_streaming", "weight_stream_time_s")
    walls[6].binds = bool(row.get("weight_streaming"))
    walls[6].explanation = "weights stream over the host link" if row.get("weight_streaming") else \
        "weights are resident: nothing streams"
    walls[7].figures = _fig(row, units, "utilization", "ttft_p50_s", "ttft_p99_s", "tpot_under_load_s")
    walls[7].binds = (row.get("utilization") or 0) > 0.8
    walls[7].explanation = ("continuous batching per replica" if row.get("ttft_p99_s") is not None else
                            "offline: give a request rate for P50/P99")
    for n in (8, 9, 10):
        walls[n].explanation = "prompts are bytes, not a data pipeline: training study"
    walls[11].explanation = "training study (C = 6 N D)"
    walls[12].figures = _fig(row, units, "reasoning_tokens", "e2e_latency_s")
    walls[12].binds = (row.get("reasoning_tokens") or 0) > 0
    walls[12].explanation = "thinking tokens decode before the answer: K x ITL"
    walls[13].figures = [("weight_dtype", str(row.get("weight_dtype")), ""), ("kv_dtype", str(row.get("kv_dtype")), ""),
                         ("teacher", str(row.get("teacher")), ""),
                         *_fig(row, units, "prune_ratio", "compression_ratio", "decode_dequant_overhead_s")]
    walls[13].binds = (row.get("compression_ratio") or 1) > 1
    walls[13].explanation = ("narrower weights and pruned matrices shrink bytes and FLOPs; dequantization costs "
                             "matmul time; accuracy is not modelled")
    walls[14].figures = _fig(row, units, "prefill_communication_time_s", "decode_communication_time_s")
    walls[14].binds = bound == "network"
    walls[14].explanation = "TP all-reduces and PP transfers over the scale-up link"
    for n in (15, 19, 20):
        walls[n].explanation = "training study (failures, checkpoints, DP-SGD)"
    _common(walls, row, units, "itl_s")
    walls[17].figures += _fig(row, units, "cloud_cost_per_million_output_tokens_usd",
                              "cloud_cost_per_million_prompt_tokens_usd")
    walls[18].figures += _fig(row, units, "energy_per_million_tokens_kwh", "co2e_per_million_tokens_g")


def _fill_training(walls: dict[int, Wall], row: dict, units: dict) -> None:
    bound = str(row.get("bound"))
    walls[1].figures = _fig(row, units, "model_flop_per_step", "peak_flop_per_s", "eta_compute", "compute_time_s")
    walls[1].binds, walls[1].explanation = bound == "compute", "6PD + attention, recomputation, / (peak x eta)"
    walls[2].figures = _fig(row, units, "weight_bytes_per_gpu", "gradient_bytes_per_gpu", "optimizer_bytes_per_gpu",
                            "activation_bytes_per_gpu", "memory_per_gpu_bytes", "memory_headroom_bytes")
    walls[2].binds = not row.get("is_feasible")
    walls[2].explanation = "ZeRO-sharded state + Korthikanti activations against capacity"
    walls[3].figures = _fig(row, units, "mfu", "hfu", "eta_compute")
    walls[3].explanation = "achieved fraction of peak"
    for n in (4, 5, 6, 7, 12, 13):
        walls[n].explanation = "serving study (inference)"
    walls[8].figures = _fig(row, units, "data_bytes_per_s_per_node", "storage_utilization")
    walls[8].binds = (row.get("storage_utilization") or 0) > 1
    walls[8].explanation = ("read bandwidth demanded / supplied" if row.get("storage_utilization") is not None else
                            "set [training] storage to check it")
    walls[9].figures = _fig(row, units, "host_utilization")
    walls[9].binds = (row.get("host_utilization") or 0) > 1
    walls[9].explanation = ("CPU cores the input pipeline needs / cores per node"
                            if row.get("host_utilization") is not None else "set [training] data_pipeline")
    walls[10].figures = _fig(row, units, "scaleout_bandwidth_per_gpu_bytes_per_s", "dp_allreduce_time_s",
                             "pp_p2p_time_s")
    walls[10].explanation = "scale-out bandwidth per GPU after the fabric's oversubscription"
    walls[11].figures = _fig(row, units, "train_tokens", "chinchilla_tokens", "training_compute_flop",
                             "time_to_train_ideal_s")
    walls[11].explanation = "C = 6 N D; Chinchilla's 20 tokens per parameter"
    walls[14].figures = _fig(row, units, "tp_comm_time_s", "cp_comm_time_s", "ep_comm_time_s",
                             "pipeline_bubble_time_s", "pp_p2p_time_s", "dp_exposed_time_s")
    walls[14].binds = bound in ("network", "bubble")
    walls[14].explanation = "collectives, sends and the pipeline bubble"
    walls[15].figures = _fig(row, units, "cluster_mtbf_s", "expected_failures", "goodput")
    walls[15].explanation = ("node MTBF / nodes" if row.get("cluster_mtbf_s") is not None else
                             "the cluster publishes no node MTBF")
    walls[19].figures = _fig(row, units, "checkpoint_bytes", "checkpoint_write_time_s", "checkpoint_interval_s")
    walls[19].explanation = "Young-Daly interval sqrt(2 delta M)"
    walls[20].figures = _fig(row, units, "dp_sgd_step_multiplier")
    walls[20].binds = (row.get("dp_sgd_step_multiplier") or 1) > 1
    walls[20].explanation = "DP-SGD's per-example clipping multiplies the step ([training] dp_sgd)"
    _common(walls, row, units, "step_time_s")
    walls[17].figures += _fig(row, units, "cloud_cost_per_run_usd", "owned_cost_per_run_usd")
    walls[18].figures += _fig(row, units, "energy_per_run_mwh", "co2e_per_run_t")


FILL: dict[str, Callable] = {"node": _fill_node, "serving": _fill_serving, "training": _fill_training}


def wall_numbers(names: list[str]) -> list[int]:
    """Wall numbers for names or numbers (``--wall 14 --wall sensitivity``); unknown ones are an error."""
    out, bad = [], []
    for name in names:
        if str(name).isdigit() and 1 <= int(name) <= 22:
            out.append(int(name))
        elif str(name).lower() in NAMES:
            out.append(NAMES[str(name).lower()])
        else:
            bad.append(name)
    if bad:
        from pipeline.errors import UnknownNameError

        raise UnknownNameError("scorecard", [("--wall", b, [*NAMES, "1..22"]) for b in bad])
    return out


BINDS = {True: "yes", False: "no", None: MISSING}


def figures(wall: Wall) -> list[str]:
    """``column = value unit`` for each of the wall's key figures, for a person to read."""
    return [f"{c} = {quantity(v, u or None)}" for c, v, u in wall.figures]


def markdown(walls: list[Wall], headline: str | None = None) -> str:
    lines = [headline, ""] if headline else []
    lines += ["| wall | name | domain | binds | key figures | why |", "|---|---|---|---|---|---|"]
    for w in walls:
        shown = "; ".join(figures(w)) or MISSING
        lines.append(f"| {w.number} | {w.name} | {w.domain} | {BINDS[w.binds]} | {shown} | {w.explanation} |")
    return "\n".join(lines) + "\n"
