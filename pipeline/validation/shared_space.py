"""One space for the rows of one group, built in parts whose axes multiply to a bounded number of configurations.

A study builds its space from the product of its spec's axes (``pipeline.studies.sides.cross``), and the
rows of a group are then restricted to their own configurations (``predict.MeasuredSpace``). Where each row
brings values of its own (a dataset with its stated lengths: ``row_context``; a request rate and the replicas that
go with each tp), the product of the group's values grows far faster than its rows: the 519 offline TensorRT-LLM
rows of the catalog multiply to more than ``PART_CONFIGURATIONS``. Here the group's rows, sorted so that alike
rows are neighbours, are cut into consecutive runs whose axes multiply to at most that (``grouping.bounded``), each
run's space is built alone, and the parts' sides are stacked (a row both parts hold once). Each side's row is a
function of its own axis values and the catalogs (the spec's other settings are the group's), so the rows of a
configuration are those the group's whole product held; the group keeps one plan and one collect. A bound, not a
speed-up in the usual case: cutting the largest groups of the 250 rows ``mlsys bench --validate`` draws into parts
of 200,000 configurations cost 0.1-0.3 CPU s more each (each part builds its hardware side again).
"""

from __future__ import annotations

import polars as pl

from pipeline.spec import SweepSpec, parse_spec
from pipeline.studies.sides import Space
from pipeline.validation.grouping import bounded, union

PART_CONFIGURATIONS = 5_000_000  # the product of one part's axes (one serving row: tp grid x batches, <= 70)


def group_spec(specs: list[dict]) -> SweepSpec:
    """The parsed spec whose axes hold every value of ``specs``' axes."""
    return parse_spec({k: v for k, v in union(specs).items() if k != "burst"}, "measurements")


def build_shared(study, catalogs, specs: list[dict], limit: int | None = None) -> Space:
    """The space of ``specs`` (one group: one study, framework, set of axes and overrides) from parts of at most
    ``limit`` (default ``PART_CONFIGURATIONS``) configurations each; one part: the study's own space."""
    limit = PART_CONFIGURATIONS if limit is None else limit
    by_index = dict(enumerate(specs))
    similar = sorted(by_index, key=lambda i: tuple(str(v) for v in specs[i]["axes"].values()))  # alike rows together
    parts = bounded(similar, by_index, limit, every_study=True)
    if len(parts) == 1:
        return study.build_space(catalogs, group_spec(specs))
    spaces = [study.build_space(catalogs, group_spec([specs[i] for i in part])) for part in parts]
    dropped: dict[str, int] = {}
    for s in spaces:
        for reason, n in s.dropped.items():
            dropped[reason] = dropped.get(reason, 0) + n
    first = spaces[0]
    return Space(_stacked([s.hardware_side for s in spaces]), _stacked([s.model_side for s in spaces]), first.units,
                 dropped, first.row_filter, row_count=sum(s.rows for s in spaces))


def _stacked(sides: list[pl.DataFrame]) -> pl.DataFrame:
    """The parts' rows of one side, in order, each once."""
    return pl.concat(sides, how="vertical").unique(maintain_order=True)
