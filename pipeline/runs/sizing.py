"""How a sweep is cut into Parquet parts, and what it will cost before it runs (``--dry-run``)."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from pipeline.runs.prepared import Prepared
from pipeline.studies.sides import Space

CHUNK_ROWS = 1_000_000  # rows per Parquet part: bounds memory, paces the progress bar
BYTES_PER_ROW_ESTIMATE = 50  # lz4-compressed node rows, measured with `mlsys bench` (494 MB for 10M rows)
ROWS_PER_S_ESTIMATE = 2_500_000  # measured 2.8M rows/s with `mlsys bench` on 2 cores


def chunks(space: Space, target_rows: int | None = None) -> Iterator[tuple[pl.DataFrame, int]]:
    """Slices of the hardware side whose joins hold about ``target_rows`` (CHUNK_ROWS) rows each."""
    target_rows = target_rows or CHUNK_ROWS
    per_workload = space.model_side.group_by("workload").len().rename({"len": "_rows"})
    hw = space.hardware_side.join(per_workload, on="workload", how="left", maintain_order="left").with_columns(
        pl.col("_rows").fill_null(0))
    start, acc = 0, 0
    sizes = hw["_rows"].to_list()
    for i, n in enumerate(sizes):
        acc += n
        if acc >= target_rows or i == len(sizes) - 1:
            yield space.hardware_side.slice(start, i + 1 - start), acc
            start, acc = i + 1, 0


def estimate(prepared: Prepared) -> dict:
    """Rows, drop counts, and the time and disk a run will take (from the measured rates above)."""
    rows = prepared.rows
    return {"rows": rows, "dropped": prepared.space.dropped,
            "estimated_seconds": round(rows / ROWS_PER_S_ESTIMATE + 1.0, 1),
            "estimated_bytes": rows * BYTES_PER_ROW_ESTIMATE}
