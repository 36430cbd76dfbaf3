"""Columns that do not read the columns a hardware row repeats with (validation's η grid), once per row.

Validation evaluates every configuration at ~99 efficiencies (``pipeline.validation.eta_grid``): the hardware
side's rows are repeated with ``eta_compute`` and the columns scaled with it set anew, the rest unchanged. The
plan's columns that read none of those (token counts, FLOPs, bytes, GEMM shapes, the kernel fits' shape
efficiency) take the same value on all repeats of a row; ``joined`` computes them once per configuration on the
frame over the hardware side before the repeat and joins them onto the repeated rows by row number, as
``serving_precomputed.joined`` does for the columns free of the lengths. The same expressions on the same values,
so the same values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import polars as pl

from pipeline import formulas
from pipeline.studies import serving_precomputed  # the module (it imports this one)

HW_ROW, CONFIGURATION_ROW, MODEL_ROW = "_once_hw", "_once_configuration", "_once_model"  # helper columns


def joined(space, hardware_side: pl.DataFrame, varying: Iterable[str], wanted: Iterable[str],
           formulas_: Mapping) -> tuple[pl.LazyFrame, dict]:
    """``space.frame(hardware_side)`` and its units with the columns of ``wanted``'s graph that read no column of
    ``varying`` (nor one computed from those) added as input columns, computed on ``space.frame()`` (the hardware
    side once) and joined by the configuration's, hardware row's (``HW_ROW``, on both hardware frames) and model
    row's numbers. ``space`` lists its configurations (``configurations``, as validation's ``MeasuredSpace``)."""
    moving = serving_precomputed.depends_on(formulas_, varying) | set(varying)
    inputs = {c: u for c, u in space.units.items() if c not in moving}
    registry = {name: fn for name, fn in formulas_.items() if name not in space.units}  # inputs stay inputs
    wanted = list(wanted)
    free = [c for c in formulas.computable_from(inputs, wanted, registry) if c not in inputs]
    if not free:
        return space.frame(hardware_side), space.units
    units = dict(formulas.plan(pl.LazyFrame(), inputs, free, registry).units)
    read = formulas.inputs_used(space.units | units, wanted, formulas_)
    columns = [c for c in free if c in read]
    if not columns:
        return space.frame(hardware_side), space.units
    keys = [CONFIGURATION_ROW, HW_ROW, MODEL_ROW]
    keyed = replace(space, configurations=space.configurations.with_row_index(CONFIGURATION_ROW),
                    model_side=space.model_side.with_row_index(MODEL_ROW))
    table = formulas.plan(keyed.frame(), inputs, columns, registry, keep=True).frame.select(*keys, *columns).collect()
    frame = keyed.frame(hardware_side).join(table.lazy(), on=keys, how="left", maintain_order="left")
    return frame, space.units | {c: units[c] for c in columns}
