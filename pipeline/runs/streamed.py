"""One plan for all the pieces of a sweep: the study's formulas planned, converted and optimized once, fed piece by
piece (``sizing.pieces``), the output cut back into each piece's rows.

A training sweep is cut into pieces of at most ``sizing.MAX_CHUNK_ROWS`` rows (peak memory). Built and collected one
by one, every piece paid the plan's fixed cost whatever its rows: ~0.08 CPU s to build the plan and ~0.27 s to
convert, optimize and start it (a 10-row piece as a 946-row one), 41 pieces in the 6.7 M-row bench. Here the plan is
built once on ``Sourced``, a space whose frame is a Python source yielding each piece's joined sides in turn; the
streaming engine runs it and its batches, in order, are cut into the pieces' rows by the heights the source counted.
The plan after the join must keep every row, in order (the study's formulas are row-wise): the heights are checked
against the rows that come out.

A product space's source (training's, serving's) takes each cut's columns by the pairs' row numbers
(``gathered_pairs.gathered``), found once a piece and hardware group, not by ``Space.frame``'s joins per cut, each
collected inside the callback (serving's layouts numbered again on every 16,384-row cut). The 10 M-row serving bench
(load 4-6): the callback's 1,230 cuts took 14.0 s of the sweep's wall time (joins 4.8, collects 9.2); gathered, its
658 cuts take 2.1 CPU s alone (no plan), and the sweep 18.5 -> 11.4-13.4 CPU s.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

import polars as pl
from polars.io.plugins import register_io_source

from pipeline.studies.gathered_pairs import gathered
from pipeline.studies.sides import Space


@dataclass
class Sourced(Space):
    """A space whose ``frame`` is ``source`` (the joined sides of one piece after another), whatever the slice."""
    source: pl.LazyFrame | None = None

    def frame(self, hardware_side: pl.DataFrame | None = None) -> pl.LazyFrame:
        return self.source

    def is_product(self) -> bool:
        return True  # pieces of the sides' product


SOURCE_ROWS = 65_536  # joined rows the source yields at a time: its frames (149 columns, ~1.2 kB/row) stay small


def piece_rows(space: Space, pieces: Iterable[tuple[pl.DataFrame, pl.DataFrame]],
               plan: Callable[[Space], pl.LazyFrame], optimizations: pl.QueryOptFlags,
               source_rows: int | None = None) -> Iterator[pl.DataFrame]:
    """The rows ``plan`` gives on each (hardware slice, model slice) of ``pieces`` (``sizing.pieces``: a model
    slice that ``is`` the space's model side stands for all of it), in order, as collecting ``plan`` on each piece's
    space would give them; ``plan`` is built and run once, on a ``Sourced`` space, fed ``source_rows`` (SOURCE_ROWS)
    joined rows at a time."""
    heights: deque[int] = deque()
    calls = []

    def frames(with_columns, predicate, n_rows, batch_size) -> Iterator[pl.DataFrame]:
        calls.append(1)
        for hw, model in pieces:
            cuts = joins(space, hw, model, source_rows, with_columns)  # one cut ahead: a gathered cut is eager
            height, frame = 0, next(cuts, None)
            if frame is None:
                heights.append(0)
            while frame is not None:
                following = next(cuts, None)
                frame = frame if predicate is None else frame.filter(predicate)
                if isinstance(frame, pl.DataFrame):  # a gathered cut: its columns as asked
                    rows = frame
                else:
                    rows = (frame if with_columns is None else frame.select(with_columns)).collect()
                height += rows.height
                if following is None:  # the piece's height is known before its last rows come out
                    heights.append(height)
                yield rows
                frame = following

    def ready() -> Iterator[pl.DataFrame]:
        """The pieces whose rows have all come out."""
        nonlocal held, have
        while heights and have >= heights[0]:
            n = heights.popleft()
            # the batches as they are, not copied into one chunk: a part's row groups are ``ROW_GROUP_ROWS``
            # whatever its chunks (``partitions.parquet_options``), and its encoder reads chunk by chunk
            rows = pl.concat(held, rechunk=False) if len(held) > 1 else held[0]
            held, have = [rows.slice(n)], have - n
            yield rows.head(n)

    schema = space.frame(space.hardware_side.head(0)).collect_schema()
    source = register_io_source(frames, schema=schema, explain_name="sweep pieces")
    batches = plan(Sourced(**{f: getattr(space, f) for f in space.__dataclass_fields__}, source=source))
    held: list[pl.DataFrame] = [pl.DataFrame(schema=batches.collect_schema())]
    have = 0
    for batch in batches.collect_batches(engine="streaming", maintain_order=True, optimizations=optimizations):
        held.append(batch)
        have += batch.height
        yield from ready()
    yield from ready()
    if heights or have or len(calls) != 1:
        raise RuntimeError(f"the plan did not keep the pieces' rows: {have} rows left, {len(heights)} pieces "
                           f"unfilled, source read {len(calls)} times")


def joins(space: Space, hw: pl.DataFrame, model: pl.DataFrame, source_rows: int | None = None,
          columns: list[str] | None = None) -> Iterator[pl.LazyFrame | pl.DataFrame]:
    """``Space.frame`` of ``hw`` on ``model`` in consecutive cuts of about ``source_rows`` joined rows, in its order:
    per value of ``grouped_by`` (``grouped.grouped_join``), else for all of ``hw``, model-side major; a space with a
    product space's cuts of ``columns`` are taken by the kept pairs' row numbers (``gathered_pairs.gathered``)."""
    if hw.height == 0 or model.height == 0:
        return
    groups = ([hw] if space.grouped_by is None else
              [hw[rows] for rows in hw.with_row_index("_i").group_by(pl.col(space.grouped_by).to_physical(),
                                                                     maintain_order=True).agg("_i")["_i"].to_list()])
    for group in groups:
        part = replace(space, grouped_by=None)
        if columns and part.is_product() and not set(group.columns) & set(model.columns) - {"workload"}:
            yield from gathered(group, model, part.row_filter, columns, source_rows or SOURCE_ROWS)
            continue
        size = max(1, (source_rows or SOURCE_ROWS) // group.height)
        for start in range(0, model.height, size):
            yield replace(part, model_side=model.slice(start, size)).frame(group)
