"""What the r-srvspd scripts share: this process's CPU seconds, and the serving bench's 3 M-row sweep prepared as
``python -m pipeline bench --study serving --rows 3000000`` prepares it (``pipeline.bench.run_benchmark``'s probe of
one batch, then as many batches as reach the rows). Written against the APIs the compared trees all have (5ed1a2b0
and h/srvspd), so a script run with ``PYTHONPATH=TREE`` times either; ``run_benchmark`` itself also times and writes.
"""

from __future__ import annotations

import resource
from dataclasses import replace

from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import per_key


def cpu() -> float:
    """User + system CPU seconds of this process (all its threads)."""
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def prepared(rows: int = 3_000_000):
    """The serving bench's spec at ``rows`` (zstd), prepared; the probe's per-key tables let go."""
    probe = runs.prepare(parse_spec(synthetic_spec(1, "serving"), "bench")).rows
    per_key.forget()
    batches = max(1, -(-rows // probe))
    return runs.prepare(parse_spec(synthetic_spec(batches, "serving") | {"output": {"compression": "zstd"}}, "bench"))


def grouped(p):
    """The sweep's first block as ``runs.partitions`` writes it: its text Enums, the block's space, its hardware side
    sorted by accelerator and the space grouped by it."""
    from pipeline.runs import partitions
    from pipeline.runs.typed import text_enums
    enums = text_enums(p.catalogs, "serving")
    space = partitions.block_space(p, p.space.model_side, False, enums)
    side = partitions.sorted_side(space, "hardware", frozenset())
    return enums, space, side, replace(space, grouped_by="hardware")
