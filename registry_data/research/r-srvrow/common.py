"""What the r-srvrow scripts share: r-srvspd's helpers (``cpu``, ``prepared``, ``grouped``: this process's CPU seconds
and the serving bench's 3 M-row sweep prepared as ``mlsys bench`` prepares it), loaded from that folder rather than
copied, and one chunk of its first block typed as the run types it (``chunk_context``, ``typed_chunk``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

_spec = importlib.util.spec_from_file_location("srvspd_common", Path(__file__).resolve().parents[1] / "r-srvspd"
                                               / "common.py")
_srvspd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_srvspd)
cpu, prepared, grouped = _srvspd.cpu, _srvspd.prepared, _srvspd.grouped


def chunk_context(rows: int = 3_000_000):
    """The bench spec at ``rows`` prepared and its first block as ``runs.partitions`` types a chunk of it: the prepared run
    (``p``), its text Enums, the grouped space (``sp``), its sorted hardware side (``side``), the plan's schema
    (``dt``), the written layout (``shape``), the text codes and the collect's optimization flags."""
    from pipeline.runs import narrow, partitions
    from pipeline.runs.typed import text_codes
    p = prepared(rows)
    enums, _space, side, sp = grouped(p)
    dt = p.study.build(sp, side.head(0)).frame.collect_schema()
    return SimpleNamespace(p=p, enums=enums, sp=sp, side=side, dt=dt, shape=narrow.layout(p, dt, None),
                           texts=text_codes([p.space.hardware_side, p.space.model_side], p.spec.axes.region or ()),
                           flags=partitions.collect_flags(p.study))


def typed_chunk(c, hw):
    """The plan of hardware rows ``hw`` of context ``c``'s block, typed as the run types it (a LazyFrame)."""
    from pipeline.runs.typed import typed
    return typed(c.p.study.build(c.sp, hw).frame, "serving", "rid", c.texts, c.shape, c.enums, c.dt)
