"""Validation: predict published measurements through the same studies and walls as a sweep.

Every measurement row becomes a one-configuration spec of its study (node, serving or
training). Its space's hardware side is crossed with a grid of compute efficiencies, so
one collect gives the prediction at the profile's η, at the ends of the profile's range
(the prediction band) and at every η of the grid (for calibration). Rows that cannot be
predicted are kept, with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import validate
from pipeline.catalogs.load import Catalogs
from pipeline.catalogs.schemas import CATALOGS, METRICS
from pipeline.errors import InputError, Problem, suggest
from pipeline.spec import parse_spec
from pipeline.units import DimensionalityError, factor, unit

ETA_GRID = [round(0.05 + 0.01 * i, 2) for i in range(96)]  # 0.05 .. 1.00
NODE_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
SERVING_BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
THROUGHPUT = {"samples_per_s", "tokens_per_s", "tokens_per_s_per_device", "training_tokens_per_s", "mfu", "hfu"}
COLUMN = {"training_tokens_per_s": "tokens_per_s"}  # metric -> output column, where the names differ


@dataclass(frozen=True)
class Measured:
    rows: pl.DataFrame  # valid rows, with the value in the metric's unit and the CSV line
    problems: list[Problem]  # rows left out, by line and column


def _unit_factor(given: str, metric: str) -> float:
    target = METRICS[metric][1]
    if given.strip() in ("1", "fraction"):
        given = ""
    return factor(unit(given), unit(target))


def read_measurements(path: str | Path | None, catalogs: Catalogs) -> Measured:
    """The measurements catalog (``path`` None) or a user CSV with the same columns. Each bad row
    is reported by line and column; the good rows are kept."""
    if path is None:  # the (validated) catalog of the chosen registry
        return Measured(_converted(catalogs.measurements.with_row_index("line", offset=2), catalogs, []), [])
    path = Path(path)
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.ComputeError) as exc:
        raise InputError(f"measurements CSV {path}", [Problem(None, None, f"cannot read: {exc}")]) from None
    raw = raw.rename({c: c.split("[")[0].strip() for c in raw.columns})
    columns = CATALOGS["measurements"].to_schema().columns
    missing = [c for c in columns if c not in raw.columns and c not in ("last_verified", "notes")]
    if missing:
        raise InputError(f"measurements CSV {path}", [Problem(None, c, "missing column") for c in missing])
    raw = raw.with_columns(pl.col(pl.String).replace("", None))
    if "last_verified" not in raw.columns:
        raw = raw.with_columns(last_verified=pl.lit("1970-01-01"))
    if "notes" not in raw.columns:
        raw = raw.with_columns(notes=pl.lit(None, pl.String))
    good, problems = [], []
    for i in range(raw.height):  # one row at a time: a bad row must not hide the good ones
        row = raw.slice(i, 1)
        typed = row.with_columns(
            pl.col(c).str.strip_chars().cast(pl.Float64 if str(spec.dtype) == "Float64" else pl.Int64, strict=False)
            for c, spec in columns.items() if str(spec.dtype) in ("Float64", "Int64"))
        typed = typed.with_columns(pl.col("last_verified").str.to_date("%Y-%m-%d", strict=False))
        bad = [Problem(i + 1, c, f"got {row[c][0]!r}, expected a number", f"line {i + 2}")
               for c, spec in columns.items() if str(spec.dtype) in ("Float64", "Int64")
               and row[c][0] is not None and typed[c][0] is None]
        if not bad:
            try:
                typed = validate(typed.select(list(columns)), "measurements")
            except InputError as exc:
                bad = [Problem(i + 1, p.column, p.message, f"line {i + 2}") for p in exc.problems]
        if bad:
            problems += bad
        else:
            good.append(typed.with_columns(line=pl.lit(i + 2, pl.UInt32)))
    frame = pl.concat(good) if good else pl.DataFrame(schema={**raw.select(list(columns)).schema, "line": pl.UInt32})
    return Measured(_converted(frame, catalogs, problems) if good else frame, problems)


def _converted(frame: pl.DataFrame, catalogs: Catalogs, problems: list[Problem]) -> pl.DataFrame:
    """Check names and units row by row (appending to ``problems``); values in the metric's unit."""
    known = {"model": catalogs.models["name"].to_list(), "hardware": catalogs.hardware["name"].to_list(),
             "cluster": catalogs.clusters["name"].to_list()}
    keep, scale = [], []
    for r in frame.iter_rows(named=True):
        where = (r["line"] - 1, f"line {r['line']}")
        bad = []
        for column, names in known.items():
            if r[column] is not None and r[column] not in names:
                close = suggest(r[column], names)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                bad.append(Problem(*where[:1], column, f"unknown name {r[column]!r}{hint}", where[1]))
        try:
            k = _unit_factor(r["unit"], r["metric"])
        except DimensionalityError:
            bad.append(Problem(where[0], "unit", f"got {r['unit']!r}, expected a unit of "
                                                 f"{METRICS[r['metric']][1] or 'a fraction (1 or %)'}", where[1]))
        except Exception:  # pint raises several types for text it cannot parse
            bad.append(Problem(where[0], "unit", f"got {r['unit']!r}, expected a unit (pint syntax)", where[1]))
        problems += bad
        keep.append(not bad)
        scale.append(k if not bad else None)
    out = frame.with_columns(_scale=pl.Series(scale, dtype=pl.Float64)).filter(pl.Series(keep, dtype=pl.Boolean))
    return out.with_columns(
        study=pl.col("metric").replace_strict({m: s for m, (s, _) in METRICS.items()}),
        measured=pl.col("value") * pl.col("_scale"),
        measured_low=pl.col("value_low") * pl.col("_scale"),
        measured_high=pl.col("value_high") * pl.col("_scale"),
    ).drop("_scale")


def _spec(r: dict) -> tuple[dict | None, str | None]:
    """The one-configuration spec that predicts measurement ``r`` (None and why when it cannot)."""
    study, framework = r["study"], {"framework": r["framework"]}
    batches = [r["batch"]] if r["batch"] is not None else None
    if study == "node":
        return {"axes": {"model": [r["model"]], "hardware": [r["hardware"]], "compute_dtype": [r["compute_dtype"]],
                         "batch": batches or NODE_BATCHES, "seq_len": [r["seq_len"] or 2048],
                         "workload": ["inference"]}, "efficiency": framework}, None
    if study == "serving":
        tp, pp = r["tp"] or 1, r["pp"] or 1
        if r["metric"] == "ttft_s":  # servers prefill each request on arrival: its TTFT is its own prefill
            batches = [1]
        if r["devices"] % (tp * pp):
            return None, f"devices {r['devices']} is not a multiple of tp x pp = {tp * pp}"
        if r["prompt_len"] is None or r["output_len"] is None:
            return None, "serving rows need prompt_len and output_len"
        return {"study": "serving", "axes": {
            "model": [r["model"]], "hardware": [r["hardware"]], "compute_dtype": [r["compute_dtype"]],
            "weight_dtype": [r["weight_dtype"] or r["compute_dtype"]], "kv_dtype": [r["compute_dtype"]],
            "tp": [tp], "pp": [pp], "batch": batches or SERVING_BATCHES, "prompt_len": [r["prompt_len"]],
            "output_len": [r["output_len"]]}, "efficiency": framework}, None
    if r["metric"] == "time_to_train_s":
        return None, "time to train needs the run's token budget, which the row does not state"
    if r["cluster"] is None:
        return None, "training rows need a cluster"
    if r["batch"] is None:
        return None, "training rows need the global batch"
    tp, pp = r["tp"] or 1, r["pp"] or 1
    layout = {"dp": [r["dp"]]} if r["dp"] is not None else {"gpus": [r["devices"]]}
    return {"study": "training", "axes": {
        "model": [r["model"]], "cluster": [r["cluster"]], "compute_dtype": [r["compute_dtype"]], **layout,
        "tp": [tp], "pp": [pp], "microbatch": [r["microbatch"] or 1], "global_batch": [r["batch"]],
        "seq_len": [r["seq_len"] or 2048], "recompute": [r["recompute"] or "selective"],
        "sequence_parallel": [tp > 1], "zero_stage": [1]}, "efficiency": framework}, None


def _etas(space, grid: list[float]) -> tuple[pl.DataFrame, tuple[float, float, float]]:
    """The space's hardware side once per η (the profile's, its range's ends, the grid), and those three."""
    hw = space.hardware_side
    first = hw.row(0, named=True)
    profile = (first["eta_compute"], first["eta_compute_low"], first["eta_compute_high"])
    values = sorted({*profile, *grid})
    return hw.drop("eta_compute").join(pl.DataFrame({"eta_compute": values}), how="cross"), profile


def _predicted(study_name: str, frame: pl.DataFrame, r: dict) -> pl.DataFrame:
    """The prediction of metric ``r['metric']`` for the whole system the measurement ran on."""
    metric = r["metric"]
    column = COLUMN.get(metric, metric)
    if study_name == "node":
        step = frame.filter(pl.col("step").is_in(["forward", "prefill"]))
        value = pl.col(column) * (r["devices"] if metric == "samples_per_s" else 1)
        frame = step.with_columns(_value=value)
    elif study_name == "serving":
        # Benchmarks time whole requests: throughput includes prefill (batch_tokens_per_s), per
        # replica; the system runs devices / (tp x pp) replicas.
        devices_per_replica = (r["tp"] or 1) * (r["pp"] or 1)
        replicas = r["devices"] / devices_per_replica
        per_replica = pl.col("batch_tokens_per_s")
        value = {"tokens_per_s": per_replica * replicas,
                 "tokens_per_s_per_device": per_replica / devices_per_replica}.get(metric, pl.col(column))
        frame = frame.with_columns(_value=value)
    else:
        frame = frame.with_columns(_value=pl.col(column))
    return frame.filter(pl.col("is_feasible") & pl.col("_value").is_not_null())


def predict(measured: pl.DataFrame, catalogs: Catalogs, etas: list[float] | None = None) -> pl.DataFrame:
    """One row per measurement: the prediction at the profile's η and its band (the ends of the
    profile's η range), the bound, the batch used, and ``grid``: the prediction at each η of
    ``etas`` (for calibration). ``reason`` says why a row has no prediction."""
    from pipeline.runs import STUDIES

    etas = ETA_GRID if etas is None else etas
    out = []
    for r in measured.iter_rows(named=True):
        raw, reason = _spec(r)
        result = {"name": r["name"], "reason": reason}
        if raw is not None:
            try:
                spec = parse_spec(raw, f"measurement {r['name']}")
                study = STUDIES[spec.study]
                space = study.build_space(catalogs, spec)
                hw, profile = _etas(space, etas)
                rows = _predicted(spec.study, study.build(space, hw).frame.collect(), r)
                result |= _pick(rows, r, profile, etas) | {"family": hw["family"][0]}
            except InputError as exc:
                result["reason"] = "; ".join(p.render() for p in exc.problems)
        out.append(result)
    return pl.DataFrame(out, schema={
        "name": pl.String, "predicted": pl.Float64, "predicted_low": pl.Float64, "predicted_high": pl.Float64,
        "eta_compute": pl.Float64, "eta_low": pl.Float64, "eta_high": pl.Float64, "bound": pl.String,
        "batch_used": pl.Float64, "grid": pl.List(pl.Float64), "reason": pl.String, "family": pl.String})


def _pick(rows: pl.DataFrame, r: dict, profile: tuple[float, float, float], etas: list[float]) -> dict:
    """At each η, the configuration the row's batch rule picks: the given batch, else the batch
    with the best value (highest throughput, lowest latency) among those that fit."""
    if rows.height == 0:
        return {"reason": "no feasible configuration (does not fit in memory)"}
    best = pl.col("_value").arg_max() if r["metric"] in THROUGHPUT else pl.col("_value").arg_min()
    chosen = {key[0]: group.row(group.select(best).item(), named=True)
              for key, group in rows.group_by("eta_compute", maintain_order=True)}
    eta, low, high = profile
    if eta not in chosen:
        return {"reason": "no feasible configuration at the profile's efficiency"}
    pick = chosen[eta]
    band = [chosen[e]["_value"] for e in (low, high) if e in chosen]
    batch = pick.get("batch", pick.get("global_batch"))
    return {"predicted": pick["_value"], "predicted_low": min(band, default=None),
            "predicted_high": max(band, default=None), "eta_compute": eta, "eta_low": low, "eta_high": high,
            "bound": _bound(pick, r["metric"]),
            "batch_used": None if batch is None else float(batch),
            "grid": [chosen.get(e, {}).get("_value") for e in etas]}


def _bound(row: dict, metric: str) -> str | None:
    """The binding term of what was measured: prefill's for a TTFT, else the row's."""
    value = row.get("ttft_bound" if metric == "ttft_s" else "bound")
    return None if value is None else str(value)


def errors(measured: pl.DataFrame, predicted: pl.DataFrame) -> pl.DataFrame:
    """Measured beside predicted: signed and absolute error % against the value (a range's
    midpoint) and against the range (0 inside it)."""
    frame = measured.join(predicted, on="name", how="left")
    mid = pl.col("measured")
    lo = pl.coalesce("measured_low", "measured")
    hi = pl.coalesce("measured_high", "measured")
    p = pl.col("predicted")
    return frame.with_columns(
        error_pct=(p / mid - 1.0) * 100.0,
        abs_error_pct=((p / mid - 1.0) * 100.0).abs(),
        range_error_pct=pl.when(p < lo).then((p / lo - 1.0) * 100.0).when(p > hi).then((p / hi - 1.0) * 100.0)
        .otherwise(0.0),
        log_error=(p / mid).log(),
        metric_unit=pl.col("metric").replace_strict({m: u for m, (_, u) in METRICS.items()}),
    )



# -- a validation run: predictions, errors, calibration and the report, written atomically ----

VALIDATION_DIR = "validation"


def run(measured_path: str | Path | None = None, out_dir: str | Path = "outputs",
        registry: str | Path | None = None, peers_python: str | None = None) -> tuple[Path, list[Problem]]:
    """Predict every measurement, calibrate η, write ``<out>/validation/<id>/`` (validation.parquet,
    calibration.parquet, fitted_profiles.csv, results.duckdb, report.md, scatter.svg, manifest.json)
    and return it with the rows that were left out."""
    import datetime as dt
    import json

    from pipeline.runs import database
    from pipeline.runs.atomic import atomic_directory
    from pipeline.validation import calibrate as calibration
    from pipeline.catalogs.load import load_catalogs

    catalogs = load_catalogs(registry)
    measured = read_measurements(measured_path, catalogs)
    table = errors(measured.rows, predict(measured.rows, catalogs))
    fitted, cv = calibration.fit(table)
    table = table.join(cv, on="name", how="left").drop("grid")
    now = dt.datetime.now(dt.UTC)
    out = Path(out_dir) / VALIDATION_DIR
    out.mkdir(parents=True, exist_ok=True)
    rid = f"{now:%Y%m%dT%H%M%SZ}"
    with atomic_directory(out / rid) as directory:
        tmp = directory.tmp
        table.write_parquet(tmp / "validation.parquet")
        fitted.write_parquet(tmp / "calibration.parquet")
        calibration.profiles_csv(fitted, tmp / "fitted_profiles.csv")
        left_out = [p.render() for p in measured.problems]
        manifest = {"run_id": rid, "study": "validation", "created_utc": now.isoformat(timespec="seconds"),
                    "measurements": str(measured_path or "measurements catalog"),
                    "rows": {"validation": table.height}, "left_out": left_out}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        database.create_database(tmp, {"validation": "validation.parquet", "calibration": "calibration.parquet"}, {})
        (tmp / "scatter.svg").write_text(scatter_svg(table))
        report = report_markdown(tmp, left_out)
        if peers_python:  # the tools people use today, on the same rows (pipeline.validation.peers)
            import contextlib
            import io

            from pipeline.validation import peers

            argv = ["--python", peers_python, "--out", str(tmp / "peers")]
            with contextlib.redirect_stdout(io.StringIO()):
                peers.main(argv + (["--measured", str(measured_path)] if measured_path else []))
            summary = (tmp / "peers" / "summary.md").read_text().split("\n", 1)[1]
            report += ("\n## Side by side with MLSys·im 0.3.0 and llm-analysis 0.2.2\n"
                       + summary.replace("## Per metric", "### Per metric"))
        (tmp / "report.md").write_text(report)
    return directory.final, measured.problems


def latest(out_dir: str | Path = "outputs") -> Path:
    runs = sorted(p for p in (Path(out_dir) / VALIDATION_DIR).glob("*") if (p / "manifest.json").exists()) \
        if (Path(out_dir) / VALIDATION_DIR).is_dir() else []
    if not runs:
        raise InputError("report", [Problem(None, None, f"no validation run under {Path(out_dir).resolve()}; "
                                                        "run `mlsys validate` first")])
    return runs[-1]


# The seed's own predictions for its five validation rows (the spec's "Where MLSys·im is Most
# Accurate" table), in seconds, beside ours in the report.
SEED_PREDICTED = {"seed-resnet50-bs1-a100-latency": 0.42e-3, "seed-resnet50-bs64-a100-latency": 8.1e-3,
                  "seed-bert-large-bs1-h100-latency": 2.1e-3, "seed-llama2-70b-ttft-8xh100": 45e-3,
                  "seed-llama2-70b-itl-8xh100": 4.2e-3}
UTILIZATION = ("mfu", "hfu")  # errors in points of peak, not % of the value
TARGET_PCT, TARGET_POINTS = 20.0, 10.0  # issue 6: CV median <= 20 % (latency, throughput), <= 10 points (MFU)


def cv_summary(table: pl.DataFrame) -> pl.DataFrame:
    """Per metric and for all latency/throughput rows: median absolute error with the profile's η,
    after calibration in sample, and leave-one-out; MFU/HFU in points of peak."""
    rows = table.filter(pl.col("cv_predicted").is_not_null())
    util = pl.col("metric").is_in(UTILIZATION)

    def err(column: str) -> pl.Expr:
        pct = (pl.col(column) / pl.col("measured") - 1).abs() * 100
        points = (pl.col(column) - pl.col("measured")).abs() * 100
        return pl.when(util).then(points).otherwise(pct)

    rows = rows.with_columns(before=err("predicted"), in_sample=err("fit_predicted"), cv=err("cv_predicted"))
    aggs = [pl.len().alias("rows"), pl.col("before").median(), pl.col("in_sample").median(), pl.col("cv").median()]
    per_metric = rows.group_by("metric").agg(aggs).sort("metric")
    overall = rows.filter(~util).select(pl.lit("all latency and throughput").alias("metric"), *aggs)
    out = pl.concat([per_metric, overall.with_columns(pl.col("rows").cast(per_metric["rows"].dtype))])
    return out.with_columns(
        target=pl.when(pl.col("metric").is_in(UTILIZATION)).then(pl.lit(f"<= {TARGET_POINTS:g} points"))
        .otherwise(pl.lit(f"<= {TARGET_PCT:g} %")),
        met=pl.when(pl.col("metric").is_in(UTILIZATION)).then(pl.col("cv") <= TARGET_POINTS)
        .otherwise(pl.col("cv") <= TARGET_PCT))


ELASTICITY_BOUND = 0.1
SAME_CONFIG = ["metric", "model", "hardware", "framework", "compute_dtype", "devices", "tp", "pp", "prompt_len",
               "output_len", "seq_len"]


def bound_agreement(table: pl.DataFrame) -> pl.DataFrame:
    """The binding term against what the measurements imply. Between two measurements of one
    configuration at batches b1 < b2 (or a batch-1 latency and an offline throughput), a
    compute-bound b1 cannot gain throughput from batching: elasticity d log T / d log b near 0.
    Growth with elasticity >= ELASTICITY_BOUND (x2 over a 1,000x batch range) says b1 was
    bandwidth- or overhead-bound. Our bound at b1 agrees when it names the same kind."""
    rows = table.filter(pl.col("metric").is_in(list(THROUGHPUT - {"mfu", "hfu"})) & pl.col("batch").is_not_null()
                        & pl.col("predicted").is_not_null())
    pairs = rows.join(rows, on=SAME_CONFIG, suffix="_2", nulls_equal=True).filter(pl.col("batch") < pl.col("batch_2"))
    pairs = pairs.with_columns(
        elasticity=(pl.col("measured_2") / pl.col("measured")).log() / (pl.col("batch_2") / pl.col("batch")).log())
    implied = pl.when(pl.col("elasticity") >= ELASTICITY_BOUND).then(pl.lit("bandwidth or overhead")) \
        .otherwise(pl.lit("compute"))
    ours = pl.when(pl.col("bound") == "compute").then(pl.lit("compute")).otherwise(pl.lit("bandwidth or overhead"))
    # Node rows: a single-stream latency at batch 1 against an offline throughput of the same model,
    # accelerator and precision (at the batch our prediction picked: MLPerf does not publish it).
    node = table.filter(pl.col("predicted").is_not_null() & pl.col("batch_used").is_not_null())
    single = node.filter((pl.col("metric") == "latency_s") & (pl.col("batch_used") == 1)).select(
        "name", "model", "hardware", "compute_dtype", "measured", "bound", batch=pl.lit(1.0))
    offline = node.filter(pl.col("metric") == "samples_per_s").select(
        pl.col("name").alias("name_2"), "model", "hardware", "compute_dtype",
        (pl.col("measured") / pl.col("devices")).alias("per_device"), pl.col("batch_used").alias("batch_2"))
    node_pairs = single.join(offline, on=["model", "hardware", "compute_dtype"]).filter(pl.col("batch_2") > 1)
    node_pairs = node_pairs.with_columns(
        elasticity=(pl.col("per_device") * pl.col("measured")).log() / pl.col("batch_2").log())
    columns = ["name", "name_2", pl.col("batch").cast(pl.Float64), pl.col("batch_2").cast(pl.Float64), "elasticity",
               implied.alias("implied_bound"), pl.col("bound").alias("our_bound"), (implied == ours).alias("agrees")]
    return pl.concat([pairs.select(columns), node_pairs.select(columns)])


def _fmt(x, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def report_markdown(run_dir: Path, left_out: list[str] | None = None) -> str:
    """The validation report: aggregates (sql/validation_report.sql), calibration, every row."""
    import json

    from pipeline.runs.database import run_query

    table = pl.read_parquet(run_dir / "validation.parquet")
    groups = run_query("validation_report", run_dir)
    fitted = pl.read_parquet(run_dir / "calibration.parquet")
    if left_out is None:
        left_out = json.loads((run_dir / "manifest.json").read_text()).get("left_out", [])
    lines = ["# Validation report", "",
             f"{table.height} measurements, {table['predicted'].is_not_null().sum()} predicted. Error = predicted / "
             "measured - 1 (a range's midpoint); range error is 0 inside a published range. CV = leave-one-out "
             "cross-validated error after calibrating eta per (workload, framework, hardware family).", "",
             "![predicted vs measured](scatter.svg)", "", "## By group", "",
             "| grouping | group | rows | median abs error % | p90 abs error % | median signed % | within 15 % | "
             "within 30 % |", "|---|---|---|---|---|---|---|---|"]
    for g in groups.iter_rows(named=True):
        lines.append(f"| {g['grouping']} | {g['group_value']} | {g['rows']} | {_fmt(g['median_abs_error_pct'])} | "
                     f"{_fmt(g['p90_abs_error_pct'])} | {_fmt(g['median_signed_error_pct'])} | "
                     f"{g['share_within_15pct']:.0%} | {g['share_within_30pct']:.0%} |")
    seed = table.filter(pl.col("name").is_in(list(SEED_PREDICTED))).with_columns(
        seed_predicted=pl.col("name").replace_strict(SEED_PREDICTED, return_dtype=pl.Float64))
    if seed.height:
        lines += ["", "## The seed's rows", "",
                  "| row | measured | seed predicted (error %) | ours (error %) | ours calibrated, LOO (error %) | "
                  "our bound |", "|---|---|---|---|---|---|"]
        for r in seed.sort("name").iter_rows(named=True):
            measured = (f"{_fmt(r['measured_low'])}–{_fmt(r['measured_high'])}" if r["measured_low"] is not None
                        else _fmt(r["measured"]))
            lines.append(f"| {r['name']} | {measured} s | {_fmt(r['seed_predicted'])} "
                         f"({(r['seed_predicted'] / r['measured'] - 1) * 100:+.0f}) | {_fmt(r['predicted'])} "
                         f"({_fmt(r['error_pct'])}) | {_fmt(r['cv_predicted'])} ({_fmt(r['cv_error_pct'])}) | "
                         f"{r['bound'] or '–'} |")
    cv = cv_summary(table)
    lines += ["", "## Calibration (median absolute error, per metric; % of the measured value, or points of peak "
              "for MFU/HFU)", "",
              "| metric | rows | profile eta | fitted, in sample | fitted, leave-one-out | target | met |",
              "|---|---|---|---|---|---|---|"]
    lines += [f"| {c['metric']} | {c['rows']} | {_fmt(c['before'])} | {_fmt(c['in_sample'])} | {_fmt(c['cv'])} | "
              f"{c['target']} | {'yes' if c['met'] else '**no**'} |" for c in cv.iter_rows(named=True)]
    lines += ["", "| workload | framework | family | precision | rows | fitted eta | LOO eta range | prior eta |",
              "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {f['workload']} | {f['framework']} | {f['family']} | {f['compute_dtype']} | {f['rows']} | "
              f"{_fmt(f['eta_fitted'])} | "
              f"{_fmt(f['eta_cv_low'])}–{_fmt(f['eta_cv_high'])} | {_fmt(f['eta_prior'])} |"
              for f in fitted.iter_rows(named=True)]
    agree = bound_agreement(table)
    lines += ["", "## Binding term against what the measurements imply", "",
              f"{agree.height} pairs of measurements of one configuration at two batches. A compute-bound smaller "
              "batch cannot gain throughput from batching; growth with elasticity d log T / d log b >= "
              f"{ELASTICITY_BOUND} implies it was bandwidth- or overhead-bound. "
              + (f"Our bound agrees on {agree['agrees'].mean():.0%} of them." if agree.height else ""), "",
              "| smaller batch | larger batch | batches | measured elasticity | implied | ours | agrees |",
              "|---|---|---|---|---|---|---|"]
    lines += [f"| {a['name']} | {a['name_2']} | {a['batch']} → {a['batch_2']} | {_fmt(a['elasticity'])} | "
              f"{a['implied_bound']} | {a['our_bound']} | {'yes' if a['agrees'] else 'no'} |"
              for a in agree.iter_rows(named=True)]
    lines += ["", "## Every measurement", "",
              "| name | metric | measured | predicted (band) | error % | CV error % | bound | batch | eta | "
              "source |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in table.sort("metric", "name").iter_rows(named=True):
        band = f"{_fmt(r['predicted'])} ({_fmt(r['predicted_low'])}–{_fmt(r['predicted_high'])})" \
            if r["predicted"] is not None else f"not predicted: {r['reason']}"
        lines.append(f"| {r['name']} | {r['metric']} ({r['metric_unit'] or 'fraction'}) | {_fmt(r['measured'])} | "
                     f"{band} | {_fmt(r['error_pct'])} | {_fmt(r['cv_error_pct'])} | {r['bound'] or '–'} | "
                     f"{_fmt(r['batch_used'])} | {_fmt(r['eta_compute'])} | [{r['source_location']}]"
                     f"({r['source_url']}) |")
    if left_out:
        lines += ["", "## Rows left out (bad input)", "", *[f"- {p}" for p in left_out]]
    return "\n".join(lines) + "\n"


def scatter_svg(table: pl.DataFrame, size: int = 420) -> str:
    """Predicted against measured, log-log, one dot per predicted row, colored by study."""
    pts = table.filter(pl.col("predicted").is_not_null() & (pl.col("measured") > 0) & (pl.col("predicted") > 0))
    colors = {"node": "#1f77b4", "serving": "#d62728", "training": "#2ca02c"}
    pad = 40
    body = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" font-size="11">',
            f'<rect x="{pad}" y="{pad // 2}" width="{size - pad * 1.5}" height="{size - pad * 1.5}" fill="none" '
            'stroke="#999"/>']
    if pts.height:
        ratio = (pts["predicted"] / pts["measured"]).log10()
        span = max(1.0, float(ratio.abs().max()) * 1.1)
        w = size - pad * 1.5

        def xy(v: float, k: float) -> tuple[float, float]:
            return pad + (v + span) / (2 * span) * w, pad / 2 + (1 - (k + span) / (2 * span)) * w

        (x0, y0), (x1, y1) = xy(-span, -span), xy(span, span)
        body.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#999" '
                    'stroke-dasharray="4"><title>predicted = measured</title></line>')
        # each metric on its own scale: plot log10(measured / median measured of the metric) against
        # log10(predicted / the same), so the diagonal is "exact" for every metric at once
        scaled = pts.with_columns(center=pl.col("measured").log10().median().over("metric"))
        for r in scaled.iter_rows(named=True):
            x, y = xy(math.log10(r["measured"]) - r["center"], math.log10(r["predicted"]) - r["center"])
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colors.get(r["study"], "#555")}">'
                        f'<title>{r["name"]}: {r["error_pct"]:+.0f} %</title></circle>')
    body.append(f'<text x="{size / 2:.0f}" y="{size - 6}" text-anchor="middle">measured (log, per metric)</text>')
    body.append(f'<text x="12" y="{size / 2:.0f}" transform="rotate(-90 12 {size / 2:.0f})" '
                'text-anchor="middle">predicted (log, per metric)</text>')
    body += [f'<text x="{pad + 6}" y="{pad + 6 + 14 * i}" fill="{c}">{s}</text>'
             for i, (s, c) in enumerate(colors.items())]
    return "\n".join([*body, "</svg>"]) + "\n"

