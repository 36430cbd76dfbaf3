"""Wall 14's fitted all-reduce columns of every accelerator (``collective_fits.allreduce_columns``: NCCL's
fitted regimes; ``custom_allreduce.custom_allreduce_columns``: the frameworks' one-shot kernel), computed once
per hardware catalog and pair of fits: every hardware side joins them, and a validation run builds about
thirty hardware sides from the same catalog (10 ms each, a Python loop over the accelerators)."""

from __future__ import annotations

import polars as pl

from pipeline.catalogs import collective_fits, custom_allreduce

_RECENT: list[tuple] = []  # (hardware, fits, custom fits, columns), newest first; holds them so `is` stays valid


def allreduce_fits(hardware: pl.DataFrame, fits: pl.DataFrame, custom: pl.DataFrame
                   ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(``allreduce_columns(hardware, fits)``, ``custom_allreduce_columns(hardware, custom)``), once per content:
    the fits by identity (the loaders return one frame per file version), the hardware catalog by content (a
    catalog override makes a new frame, often of the same rows)."""
    for seen, seen_fits, seen_custom, columns in _RECENT:
        if seen_fits is fits and seen_custom is custom and (seen is hardware or seen.equals(hardware)):
            return columns
    columns = (collective_fits.allreduce_columns(hardware, fits),
               custom_allreduce.custom_allreduce_columns(hardware, custom))
    _RECENT.insert(0, (hardware, fits, custom, columns))
    del _RECENT[8:]
    return columns
