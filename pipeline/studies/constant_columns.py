"""The input columns a study's joined frame holds at one value on every row, which its formulas read as literals
(``formulas.plan``'s ``constants``, issue 15).

A sweep's hardware side carries the spec's knobs on every row (FlashAttention, dropout, the MTP layers, the
memory reserve...) and its model side axes the spec holds at one value (cp = ep = 1, LoRA rank 0 in
`mlsys bench --study training`): as columns, every joined row reads them and every ``where`` on them computes
both branches; as literals polars folds the ``where`` to the branch taken and never reads the column.
The same values: a number is taken only where dividing by it as a literal gives what dividing by the column gave.
Polars divides a float column by a scalar as a product with its reciprocal (one rounding more): exact for 0, an
infinity, NaN and a power of two (1, 2, 0.5 ...), whose reciprocal is exact; other numbers stay columns (a test
spec's sequence length, a cluster's figures moved compute_time_s by an ulp).
"""

from __future__ import annotations

import math

import polars as pl

from pipeline.formulas import Constant
from pipeline.studies import per_key
from pipeline.studies.model_subexpressions import PREFIX as HOISTED  # read by no formula
from pipeline.studies.sides import Space

SMALL_ROWS = 4096  # frames up to this many rows: ``_small_constants`` (distinct values counted, cheap on few rows)


def one_valued(space: Space, hardware_side: pl.DataFrame | None = None) -> dict[str, Constant]:
    """The numeric and boolean columns of ``space``'s sides with one value (NULL counts as one) on every row of the
    frame over ``hardware_side``: on the model side, and on both the space's hardware side and ``hardware_side``
    (a chunk's slice, or rows of their own: validation's at each η). Each side's found once (``per_key.cached``),
    then those of the space's hardware side that ``hardware_side`` holds at the same value, bit for bit (a chunk of
    20 rows: 17.8 -> 1.0 ms on training's bench spec, 20.5 -> 0.6 on serving's)."""
    model = per_key.cached(("one_valued", "model"), (space.model_side,), lambda: frame_constants(space.model_side))
    hw = space.hardware_side
    found = per_key.cached(("one_valued", "hardware"), (hw,), lambda: frame_constants(hw))
    if hardware_side is not None and hardware_side.height and hardware_side is not hw:
        schema = hardware_side.schema  # once (built anew at each call)
        rows = frame_constants(hardware_side.select(c for c, (_, d) in found.items() if schema.get(c) == d))
        found = {c: v for c, v in found.items() if c in rows and _same(rows[c][0], v[0])}
    return found | model


def _same(a, b) -> bool:
    """Whether two one-valued columns' values are the same bits: NULLs, NaNs, and 0.0 and -0.0 told apart."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))
    return a == b and type(a) is type(b)


def frame_constants(frame: pl.DataFrame) -> dict[str, Constant]:
    """``frame``'s numeric and boolean columns with one value (as ``n_unique`` tells them: NULL one value, NaN one, 0.0
    and -0.0 two, by their reciprocals' infinities); from each column's least and greatest value, NULLs and NaNs
    (cheaper than hashing every value: the bench's model side, 187,350 rows x 85 columns, 0.20 -> 0.07 CPU s)."""
    schema = frame.schema  # once: a frame's ``schema`` is built anew at each call (~0.1 ms on 110 columns)
    columns = [c for c, d in schema.items() if (d.is_numeric() or d == pl.Boolean) and not c.startswith(HOISTED)]
    if frame.height == 0 or not columns:
        return {}
    floats = [c for c in columns if schema[c].is_float()]
    if frame.height <= SMALL_ROWS:
        return _small_constants(frame, schema, columns, floats)
    inverse = {c: 1.0 / pl.col(c) for c in floats}
    stats = frame.select(*(pl.col(c).null_count().alias(f"{c}:nulls") for c in columns),
                         *(pl.col(c).min().alias(f"{c}:min") for c in columns),
                         *(pl.col(c).max().alias(f"{c}:max") for c in columns),
                         *(pl.col(c).is_nan().sum().alias(f"{c}:nans") for c in floats),
                         *(e.min().alias(f"{c}:imin") for c, e in inverse.items()),
                         *(e.max().alias(f"{c}:imax") for c, e in inverse.items())).row(0, named=True)

    def one(c: str) -> bool:
        nulls, nans = stats[f"{c}:nulls"], stats.get(f"{c}:nans", 0)
        if nulls or nans:  # all NULL, or all NaN
            return frame.height in (nulls, nans)
        return stats[f"{c}:min"] == stats[f"{c}:max"] and stats.get(f"{c}:imin") == stats.get(f"{c}:imax")
    kept = [c for c in columns if one(c)]
    first = frame.select(kept).row(0, named=True) if kept else {}
    return {c: (first[c], schema[c]) for c in kept if _exact_divisor(first[c])}


def _small_constants(frame: pl.DataFrame, schema: pl.Schema, columns: list[str], floats: list[str]
                     ) -> dict[str, Constant]:
    """``frame_constants`` of a frame of few rows (a sweep's hardware side, a chunk of it): each column's distinct
    values and, a float's, its reciprocals' (``n_unique`` counts 0.0 and -0.0 as one value, their reciprocals'
    infinities as two), in one query of two expressions a column (the same columns as from the least and greatest
    values; a chunk of 20 hardware rows x 87 columns: 11.5 -> 1.2 ms)."""
    counts = frame.select(pl.col(columns).n_unique(), pl.col(floats).pow(-1).n_unique().name.suffix(":i")).row(
        0, named=True)
    kept = [c for c in columns if counts[c] == 1 and counts.get(f"{c}:i", 1) == 1]
    first = frame.select(kept).row(0, named=True) if kept else {}
    return {c: (first[c], schema[c]) for c in kept if _exact_divisor(first[c])}


def _exact_divisor(value) -> bool:
    """Whether ``x / value`` equals ``x * (1 / value)`` for every float x: a boolean or NULL (never a divisor), 0, an
    infinity, NaN or a power of two (its reciprocal exact)."""
    if value is None or isinstance(value, bool):
        return True
    v = float(value)
    return v == 0.0 or not math.isfinite(v) or math.frexp(v)[0] in (0.5, -0.5)
