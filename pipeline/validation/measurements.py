"""Measurements to predict: the measurements catalog or a user CSV with its columns, each row
checked (names, numbers, units) and its value converted to the metric's unit."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import validate
from pipeline.catalogs.load import Catalogs
from pipeline.catalogs.schemas import CATALOGS, METRICS
from pipeline.errors import InputError, Problem, suggest
from pipeline.units import DimensionalityError, factor, unit

# Columns added by issue 12 (what a publication states beyond TP/PP/DP): a CSV may leave them out.
OPTIONAL = ("cp", "zero_stage", "virtual_stages", "sequence_parallel", "kv_cache", "dataset", "concurrency",
            "request_rate")
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
    except (OSError, pl.exceptions.ComputeError) as exc:
        raise InputError(f"measurements CSV {path}", [Problem(None, None, f"cannot read: {exc}")]) from None
    raw = raw.rename({c: c.split("[")[0].strip() for c in raw.columns})
    columns = CATALOGS["measurements"].to_schema().columns
    missing = [c for c in columns if c not in raw.columns and c not in ("last_verified", "notes", *OPTIONAL)]
    if missing:
        raise InputError(f"measurements CSV {path}", [Problem(None, c, "missing column") for c in missing])
    raw = raw.with_columns(pl.lit(None, pl.String).alias(c) for c in OPTIONAL if c not in raw.columns)
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
        typed = typed.with_columns(pl.col("last_verified").str.to_date("%Y-%m-%d", strict=False),
                                   *(pl.col(c).str.strip_chars().str.to_lowercase().replace_strict(
                                       FLAGS, default=None, return_dtype=pl.Boolean)
                                     for c, spec in columns.items() if str(spec.dtype) == "Boolean"))
        bad = [Problem(i + 1, c, f"got {row[c][0]!r}, expected a number", f"line {i + 2}")
               for c, spec in columns.items() if str(spec.dtype) in ("Float64", "Int64")
               and row[c][0] is not None and typed[c][0] is None]
        bad += [Problem(i + 1, c, f"got {row[c][0]!r}, expected true or false", f"line {i + 2}")
                for c, spec in columns.items() if str(spec.dtype) == "Boolean"
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
    measured = Measured(_converted(frame, catalogs, problems) if good else frame, problems)
    _check_usable(measured, f"measurements CSV {path}")
    return measured


def _check_usable(measured: Measured, what: str) -> None:
    """Rows are matched by name downstream: a repeated name, or no good row at all, is an error."""
    names = measured.rows.group_by("name", maintain_order=True).agg(pl.col("line")) \
        .filter(pl.col("line").list.len() > 1)
    if names.height:
        raise InputError(what, [Problem(None, "name", f"{r['name']!r} appears on lines "
                                                      f"{', '.join(str(n) for n in r['line'])}; names must be unique")
                                for r in names.iter_rows(named=True)])
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
