"""``mlsys serve-plan``: the deployments of a model on N GPUs that meet a TTFT / TPOT SLA, their
Pareto frontier of tokens/s per GPU against tokens/s per user, the best aggregated and
disaggregated deployment with its cost per million tokens and launch settings; where no
deployment meets the SLA (a result: exit 0), the nearest ones and the constraint that binds."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.options import RegistryOpt
from pipeline.errors import InputError, Problem

SHOWN = ["kind", "deployment_gpus", "deployment_replicas", "layout", "deployment_ttft_s", "deployment_tpot_s",
         "deployment_tokens_per_s_per_gpu", "deployment_tokens_per_s_per_user",
         "deployment_cost_per_million_tokens_usd"]


NEAREST = 5  # distinct deployments shown where none meets the SLA


def seconds(text: str, option: str) -> float:
    """'0.5s', '30ms' or '30 ms': a time with its unit (> 0 is checked with the other options). A bare
    number is refused: "--tpot 30" is as likely 30 ms as 30 s, and an SLA read in the wrong unit plans
    for the wrong service."""
    from pipeline.units import parse_quantity

    expected = "expected a time with its unit, such as 0.5s or 30ms"
    try:
        quantity = parse_quantity(_spaced(text.replace(" ", "")))
        value = None if quantity.dimensionless else float(quantity.to("s").magnitude)
    except Exception as exc:  # pint's errors: an unknown unit, not a time
        raise InputError("serve-plan", [Problem(None, option, f"got {text!r}, {expected} ({exc})")]) from None
    if value is None:
        raise InputError("serve-plan", [Problem(None, option, f"got {text!r} without a unit; {expected}")])
    return value


def sla_seconds(ttft: str, tpot: str) -> tuple[float, float]:
    """``seconds`` of both SLA options, a bad one or both reported at once."""
    values, problems = [], []
    for text, option in ((ttft, "--ttft"), (tpot, "--tpot")):
        try:
            values.append(seconds(text, option))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError("serve-plan", problems)
    return values[0], values[1]


def _spaced(text: str) -> str:
    """'30ms' -> '30 ms': the quantity parser wants the number and the unit apart."""
    text = text.strip()
    i = len(text)
    while i and not (text[i - 1].isdigit() or text[i - 1] == "."):
        i -= 1
    return f"{text[:i]} {text[i:]}".strip()


def serve_plan(
    model: Annotated[str, typer.Option("--model", help="Model (models catalog name).")],
    hardware: Annotated[str, typer.Option("--hardware", help="Accelerator (hardware catalog name).")],
    gpus: Annotated[int, typer.Option("--gpus", help="GPUs the deployment may use.")],
    ttft: Annotated[str, typer.Option("--ttft", help="Time-to-first-token SLA, e.g. 0.5s.")],
    tpot: Annotated[str, typer.Option("--tpot", help="Time-per-output-token SLA, e.g. 30ms.")],
    dataset: Annotated[str | None, typer.Option("--dataset", help="Workloads catalog row: its mean lengths.")] = None,
    isl: Annotated[int | None, typer.Option("--isl", help="Prompt tokens (with --osl, instead of --dataset).")] = None,
    osl: Annotated[int | None, typer.Option("--osl", help="Generated tokens.")] = None,
    ttft_percentile: Annotated[str, typer.Option("--ttft-percentile", help="p99 (default), p50 or mean.")] = "p99",
    tpot_percentile: Annotated[str, typer.Option("--tpot-percentile", help="mean (default), p50 or p99.")] = "mean",
    precision: Annotated[list[str] | None, typer.Option(
        "--precision", help="Precisions to try (repeatable; default bf16 and fp8).")] = None,
    cluster: Annotated[str | None, typer.Option(
        "--cluster", help="Clusters catalog row whose scale-out fabric carries the KV (default: the first cluster "
                          "of this accelerator, said in the output).")] = None,
    region: Annotated[str, typer.Option("--region", help="Region of the cloud price (regions catalog).")] = (
        "United States"),
    draft_model: Annotated[str | None, typer.Option(
        "--draft-model", help="Speculative draft (models catalog).")] = None,
    spec_draft_tokens: Annotated[int, typer.Option("--spec-draft-tokens", help="Draft length k (0: none).")] = 0,
    spec_acceptance: Annotated[float | None, typer.Option(
        "--spec-acceptance", help="Acceptance rate in [0, 1] of each drafted token.")] = None,
    batch: Annotated[list[int] | None, typer.Option(
        "--batch", help="Max running sequences per worker to try (repeatable; default 1, 2, 4 ... 512).")] = None,
    dual_batch_overlap: Annotated[bool, typer.Option(
        "--dual-batch-overlap", help="Hide the EP all-to-all behind computation with two microbatches.")] = False,
    redundant_experts: Annotated[int, typer.Option(
        "--redundant-experts", help="EPLB redundant expert slots to try beside none (an MoE model; adds the EP "
                                    "sizes that divide experts + slots, e.g. 72 and 144 for 256 + 32).")] = 0,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Frontier rows shown.")] = 20,
    registry: RegistryOpt = None,
) -> None:
    """Search aggregated and disaggregated deployments within --gpus that meet the SLA."""
    from pipeline.report.serve_plan import BATCHES, PRECISIONS, Request, plan

    ttft_s, tpot_s = sla_seconds(ttft, tpot)
    req = Request(model, hardware, gpus, ttft_s, tpot_s, ttft_percentile,
                  tpot_percentile, dataset, isl, osl, tuple(precision or PRECISIONS), cluster, region, draft_model,
                  spec_draft_tokens, spec_acceptance, batches(batch or BATCHES),
                  registry=str(registry) if registry else None, dual_batch_overlap=dual_batch_overlap,
                  redundant_experts=redundant_experts)
    for line in render(plan(req), limit):
        typer.echo(line)


def batches(given: list[int]) -> tuple[int, ...]:
    """The batches to sweep: those given and 1 (a prefill worker's), unless one is bad (the check
    names it)."""
    return tuple(sorted(set(given) | ({1} if all(b >= 1 for b in given) else set())))


def layout(row: dict, prefix: str = "") -> str:
    """tp x pp (x ep) and precision of one worker, and its batch."""
    parts = [f"TP{int(row[prefix + 'tp'])}", f"PP{int(row[prefix + 'pp'])}"]
    if row.get(prefix + "ep") not in (None, 1, 1.0):
        parts.append(f"EP{int(row[prefix + 'ep'])}" + (f"+{int(r)}R" if (r := row.get(prefix + "redundant_experts"))
                                                       else ""))
    batch = row.get(f"{prefix}batch") if prefix else row.get("batch")
    tail = f" b{int(batch)}" if batch is not None else ""
    return f"{' '.join(parts)} {row[prefix + 'compute_dtype']}{tail}"


def describe(row: dict) -> str:
    if row["kind"] == "aggregated":
        return f"{int(row['deployment_replicas'])} x [{layout(row)}]"
    return (f"{int(row['prefill_workers'])} x prefill [{layout(row, 'prefill_')}] + "
            f"{int(row['decode_workers'])} x decode [{layout(row, 'decode_')}]")


def total_gpus(row: dict) -> int:
    """GPUs the deployment takes: its replicas x one replica's (aggregated), or both pools' (disaggregated);
    the per-GPU rates are those of one replica, the same for all."""
    replicas = row.get("deployment_replicas") if row["kind"] == "aggregated" else None
    return int(row["deployment_gpus"] * (replicas or 1))


def worker(row: dict, prefix: str) -> dict:
    """The candidate's columns of one pool, its prefix removed (launch settings read these)."""
    out = {k[len(prefix):]: v for k, v in row.items() if k.startswith(prefix)}
    out["batch"] = row[f"{prefix}batch"]  # a prefill worker's: the prompts one pass takes
    return out


def render(result, limit: int) -> list[str]:
    """The answer as lines (module docstring)."""
    import polars as pl

    from pipeline.report.launch import launch_lines

    req, lines = result.request, []
    where = f"lengths of {req.dataset}" if req.dataset else f"ISL {req.isl}, OSL {req.osl}"
    net = result.network
    lines.append(f"serve-plan: {req.model} on up to {req.gpus} x {req.hardware}, {where}; SLA {req.ttft_percentile} "
                 f"TTFT <= {req.ttft_s:g} s, {req.tpot_percentile} TPOT <= {req.tpot_s * 1e3:g} ms")
    lines.append(f"KV transfer network: {net.cluster} ({net.nic_bandwidth_bytes_per_s * 8 / 1e9:g} Gb/s x "
                 f"{net.nics_per_accelerator:g} NIC per GPU)" if net else
                 "no cluster of this accelerator in the catalog: disaggregated deployments not searched")
    total = sum(result.candidates.values())
    kinds = ", ".join(f"{v:,} {k}" for k, v in result.candidates.items())
    lines.append(f"searched {total:,} candidate deployments ({kinds}) "
                 f"in {result.seconds['search']:.2f} s, from {int(result.seconds['rows']):,} serving rows swept in "
                 f"{result.seconds['sweep']:.2f} s")
    if result.frontier.height == 0:
        lines.append("no deployment meets the SLA. Nearest deployments (x SLA: how far each is from it):")
        seen: set[str] = set()
        for row in (result.nearest.to_dicts() if result.nearest is not None else []):
            if describe(row) in seen or len(seen) == NEAREST:
                continue
            seen.add(describe(row))
            lines.append(f"  {describe(row)}: TTFT {row['nearest_ttft_s']:.3f} s ({row['ttft_over_sla']:.2f} x SLA), "
                         f"TPOT {row['deployment_tpot_s'] * 1e3:.1f} ms ({row['tpot_over_sla']:.2f} x SLA); "
                         f"binding constraint: {row['binding']}")
        if result.nearest is None or result.nearest.height == 0:
            lines.append("  none: no layout of this model fits the GPUs' memory; binding constraint: memory")
        return lines
    top = result.frontier.sort("deployment_tokens_per_s_per_gpu", descending=True).head(limit)
    shown = top.with_columns(layout=pl.Series([describe(r) for r in top.to_dicts()], dtype=pl.String))
    lines.append(f"Pareto frontier ({result.frontier.height} deployments; tokens/s per GPU against tokens/s per user):")
    for r in shown.select(SHOWN).to_dicts():
        cost = r["deployment_cost_per_million_tokens_usd"]
        lines.append(f"  {r['kind']:<13} {total_gpus(r):>4} GPUs  {r['layout']:<58} TTFT "
                     f"{r['deployment_ttft_s']:.3f} s  TPOT {r['deployment_tpot_s'] * 1e3:6.1f} ms  "
                     f"{r['deployment_tokens_per_s_per_gpu']:8.1f} tok/s/GPU  "
                     f"{r['deployment_tokens_per_s_per_user']:6.1f} "
                     f"tok/s/user  " + ("cost n/a" if cost is None else f"${cost:.3f}/Mtok"))
    for kind in result.candidates:
        row = result.best.get(kind)
        if row is None:
            lines.append(f"best {kind}: none meets the SLA")
            continue
        cost = row["deployment_cost_per_million_tokens_usd"]
        lines.append(f"best {kind}: {describe(row)}, {row['deployment_tokens_per_s_per_gpu']:.1f} tok/s/GPU at "
                     f"{row['deployment_tokens_per_s_per_user']:.1f} tok/s/user, "
                     + ("cost n/a" if cost is None else f"${cost:.3f} per million tokens"))
        prompt = int(row["prompt_len"])
        if result.draft_path:  # the launch settings name the draft by its repository
            row = row | {"draft_model": result.draft_path, "decode_draft_model": result.draft_path}
        workers = ([("aggregated", int(row["deployment_replicas"]), row)] if kind == "aggregated" else
                   [("prefill", int(row["prefill_workers"]), worker(row, "prefill_")),
                    ("decode", int(row["decode_workers"]), worker(row, "decode_"))])
        lines += ["  " + ln.replace("\n", "\n  ") for ln in launch_lines(result.model_path, workers, prompt)]
    return lines
