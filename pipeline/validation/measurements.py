"""Measurements to predict: the measurements catalog or a user CSV with its columns, each row
checked (names, numbers, units) and its value converted to the metric's unit."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from pipeline.catalogs import cache as catalog_cache
from pipeline.catalogs.decode_kernel_schema import DECODE_KERNEL_COLUMNS
from pipeline.catalogs.expert_schema import EXPERT_COLUMNS
from pipeline.catalogs.io import validate
from pipeline.catalogs.load import Catalogs
from pipeline.catalogs.kernel_schema import KERNEL_COLUMNS, RUN_COLUMNS, TRAINING_RUN_COLUMNS
from pipeline.catalogs.quantization_schema import QUANTIZATION_COLUMNS
from pipeline.catalogs.scheduler_schema import SCHEDULER_COLUMNS
from pipeline.catalogs.schemas import CATALOGS, METRICS
from pipeline.catalogs.speculative_schema import SPECULATIVE_COLUMNS
from pipeline.errors import InputError, Problem, did_you_mean
from pipeline.units import DimensionalityError, factor, unit

# Columns added by issue 12 (what a publication states beyond TP/PP/DP): a CSV may leave them out.
OPTIONAL = ("cp", "ep", "trained", "zero_stage", "virtual_stages", "sequence_parallel", "kv_cache", "dataset",
            "attention_kernel", "concurrency", "request_rate", "statistic", *KERNEL_COLUMNS, *RUN_COLUMNS,
            *TRAINING_RUN_COLUMNS, *SPECULATIVE_COLUMNS, *EXPERT_COLUMNS, *DECODE_KERNEL_COLUMNS, *SCHEDULER_COLUMNS,
            *QUANTIZATION_COLUMNS)
FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@dataclass(frozen=True)
class Measured:
    rows: pl.DataFrame  # valid rows, with the value in the metric's unit and the CSV line
    problems: list[Problem]  # rows left out, by line and column


@cache
def _unit_factor(given: str, metric: str) -> float:
    """Factor from ``given`` to the metric's unit (cached: a catalog repeats a few units)."""
    target = METRICS[metric][1]
    if given.strip() in ("1", "fraction"):
        given = ""
    return factor(unit(given), unit(target))


def read_measurements(path: str | Path | None, catalogs: Catalogs) -> Measured:
    """The measurements catalog (``path`` None) or a user CSV with the same columns. Each bad row
    is reported by line and column; the good rows are kept."""
    if path is None:  # the (validated) catalog of the chosen registry
        problems: list[Problem] = []
        measured = Measured(_converted(catalogs.measurements.with_row_index("line", offset=2), catalogs, problems),
                            problems)
        _check_usable(measured, "measurements catalog")
        return measured
    path = Path(path)
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except pl.exceptions.NoDataError:
        raise InputError(f"measurements CSV {path}", [Problem(None, None, "is empty; expected a header line and "
                                                                          "measurement rows")]) from None
    except (OSError, pl.exceptions.ComputeError) as exc:
        raise InputError(f"measurements CSV {path}", [Problem(None, None, f"cannot read: {exc}")]) from None
    raw = raw.rename({c: c.split("[")[0].strip() for c in raw.columns})
    columns = CATALOGS["measurements"].to_schema().columns
    optional = ("last_verified", "notes", "source_quality", *OPTIONAL)
    missing = [c for c in columns if c not in raw.columns and c not in optional]
    if missing:
        raise InputError(f"measurements CSV {path}", [Problem(None, c, "missing column") for c in missing])
    raw = raw.with_columns(pl.lit(None, pl.String).alias(c) for c in OPTIONAL if c not in raw.columns)
    raw = raw.with_columns(pl.col(pl.String).replace("", None))
    if "last_verified" not in raw.columns:
        raw = raw.with_columns(last_verified=pl.lit("1970-01-01"))
    if "notes" not in raw.columns:
        raw = raw.with_columns(notes=pl.lit(None, pl.String))
    if "source_quality" not in raw.columns:  # optional in a user CSV (null: unknown)
        raw = raw.with_columns(source_quality=pl.lit(None, pl.String))
    raw = raw.with_row_index("line", offset=2)
    _check_unique(raw, f"measurements CSV {path}")  # before the schema, whose own check would drop them
    frame, problems = _checked_rows(raw, columns)
    good = frame.height > 0
    measured = Measured(_converted(frame, catalogs, problems) if good else frame, problems)
    _check_usable(measured, f"measurements CSV {path}")
    return measured


def _checked_rows(raw: pl.DataFrame, columns: dict) -> tuple[pl.DataFrame, list[Problem]]:
    """The rows that parse and pass the catalog's schema, and a problem per bad cell (a bad row
    must not hide the good ones). The whole frame is validated at once; rows named by a problem
    are set aside and the rest validated again, so a file costs a few validations, not one per row."""
    numeric = {c: pl.Float64 if str(spec.dtype) == "Float64" else pl.Int64
               for c, spec in columns.items() if str(spec.dtype) in ("Float64", "Int64")}
    typed = raw.with_columns(pl.col(c).str.strip_chars().cast(t, strict=False) for c, t in numeric.items())
    flags = [c for c, spec in columns.items() if str(spec.dtype) == "Boolean"]
    typed = typed.with_columns(pl.col("last_verified").str.to_date("%Y-%m-%d", strict=False),
                               *(pl.col(c).str.strip_chars().str.to_lowercase().replace_strict(
                                   FLAGS, default=None, return_dtype=pl.Boolean) for c in flags))
    problems = []
    for columns_of_kind, expected in ((numeric, "a number"), (flags, "true or false")):
        for c in columns_of_kind:
            for line, got in raw.filter(pl.col(c).is_not_null() & typed[c].is_null()).select("line", c).iter_rows():
                problems.append(Problem(line - 1, c, f"got {got!r}, expected {expected}", f"line {line}"))
    bad_lines = {p.row + 1 for p in problems}
    while True:
        rows = typed.filter(~pl.col("line").is_in(list(bad_lines)))
        try:
            out = _validated(rows.select(list(columns)))
            break
        except InputError as exc:
            located = [p for p in exc.problems if p.row is not None]
            if len(located) < len(exc.problems):  # a problem of the whole table: check row by row
                located = [Problem(line - 1, p.column, p.message, f"line {line}")
                           for line, row in zip(rows["line"], rows.iter_slices(1), strict=True)
                           for p in _row_problems(row.select(list(columns)))]
            else:
                located = [Problem(rows["line"][p.row - 1] - 1, p.column, p.message, f"line {rows['line'][p.row - 1]}")
                           for p in located]
            problems += located
            bad_lines |= {p.row + 1 for p in located}
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return out.with_columns(line=rows["line"].cast(pl.UInt32)), problems


CHECKS = ("catalogs/plausible.py", "catalogs/text_cells.py")  # validate's checks beyond cache.RULES


def _validated(rows: pl.DataFrame) -> pl.DataFrame:
    """``validate(rows, "measurements")``, kept in the validated-catalog cache (``pipeline.catalogs.cache``) by the
    rows' content (Arrow IPC bytes) and the checks' source: the same CSV given again (``mlsys validate --measured``
    run twice) reads the rows back instead of running pandera (0.3-1 CPU s in a new process). Rows that fail are
    never cached: they raise as before."""
    digest = hashlib.sha256()
    buffer = io.BytesIO()
    rows.write_ipc(buffer)
    digest.update(buffer.getvalue())
    package = Path(__file__).resolve().parent.parent
    for name in CHECKS:
        try:
            digest.update((package / name).read_bytes())
        except OSError:  # no source (a bytecode-only install): the package version in the cache key decides
            digest.update(name.encode())
    key = digest.hexdigest()
    hit = catalog_cache.get("measured-rows", key)
    if hit is not None and hit.schema == rows.schema:
        return hit
    out = validate(rows, "measurements")
    catalog_cache.put("measured-rows", key, out)
    return out


def _row_problems(row: pl.DataFrame) -> list[Problem]:
    try:
        validate(row, "measurements")
    except InputError as exc:
        return exc.problems
    return []


def _check_unique(rows: pl.DataFrame, what: str) -> None:
    names = rows.filter(pl.col("name").is_not_null()).group_by("name", maintain_order=True).agg(pl.col("line")) \
        .filter(pl.col("line").list.len() > 1)
    if names.height:
        raise InputError(what, [Problem(None, "name", f"{r['name']!r} appears on lines "
                                                      f"{', '.join(str(n) for n in r['line'])}; names must be unique")
                                for r in names.iter_rows(named=True)])


def _check_usable(measured: Measured, what: str) -> None:
    """Rows are matched by name downstream: a repeated name, or no good row at all, is an error."""
    _check_unique(measured.rows, what)
    if measured.rows.height == 0:
        raise InputError(what, measured.problems or [Problem(None, None, "no measurement rows")])


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
                bad.append(Problem(*where[:1], column, f"unknown name {r[column]!r}{did_you_mean(r[column], names)}",
                                   where[1]))
        try:
            k = _unit_factor(r["unit"], r["metric"])
        except DimensionalityError:
            bad.append(Problem(where[0], "unit", f"got {r['unit']!r}, expected a unit of "
                                                 f"{METRICS[r['metric']][1] or 'a fraction (1 or %)'}", where[1]))
        except Exception:  # pint raises several types for text it cannot parse
            bad.append(Problem(where[0], "unit", f"got {r['unit']!r}, expected a unit (names such as ms, tok/s, %; "
                                                 "no arithmetic)", where[1]))
        problems += bad
        keep.append(not bad)
        scale.append(k if not bad else None)
    out = frame.with_columns(_scale=pl.Series(scale, dtype=pl.Float64)).filter(pl.Series(keep, dtype=pl.Boolean))
    # A decoder LLM's latency_s is a whole query: MLPerf's GPT-J SingleStream times one sample from issue to its
    # last token (loadgen's query latency; the reference generates up to 128 new tokens with num_beams 4,
    # mlcommons/inference language/gpt-j/backend_PyTorch.py), prefill and every decode step, so it is the serving
    # study's end-to-end latency (wall 4), never the node study's one forward pass. Its inference samples/s likewise
    # counts whole queries (loadgen's samples per second: each sample a prompt and its generated tokens).
    decoders = catalogs.models.filter(pl.col("model_type") == "decoder")["name"].implode()
    inference_samples = (pl.col("metric") == "samples_per_s") & (pl.col("scenario") != "training")
    whole_query = ((pl.col("metric") == "latency_s") | inference_samples) & pl.col("model").is_in(decoders)
    return out.with_columns(
        study=pl.when(whole_query).then(pl.lit("serving"))
        .otherwise(pl.col("metric").replace_strict({m: s for m, (s, _) in METRICS.items()})),
        measured=pl.col("value") * pl.col("_scale"),
        measured_low=pl.col("value_low") * pl.col("_scale"),
        measured_high=pl.col("value_high") * pl.col("_scale"),
    ).drop("_scale")
