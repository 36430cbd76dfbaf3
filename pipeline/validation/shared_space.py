"""One space for the rows of one group, built in parts whose axes multiply to few configurations.

A study builds its space from the product of its spec's axes (``pipeline.studies.sides.cross``), and the
rows of a group are then restricted to their own configurations (``predict.MeasuredSpace``). Where each row
brings values of its own (a dataset with its stated lengths, a request rate, the replicas that go with a tp),
the product of the group's values is far larger than the rows: the 31 serving rows of one framework under
load in the 250 rows ``mlsys bench --validate`` draws crossed 4 models x 6 tp x 10 batches x 15 datasets x 20
rates x their replicas, millions of model-side rows, 6 of the group's 13 s. Here the group's rows are cut into
consecutive runs whose axes multiply to at most ``PART_CONFIGURATIONS`` (``grouping.bounded``), each run's
space is built alone, and the parts' sides are stacked (a row both parts hold once). Each side's row is a
function of its own axis values and the catalogs (the spec's other settings are the group's), so the rows of a
configuration are those the group's whole product held; the group keeps one plan and one collect.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from pipeline.spec import SweepSpec, parse_spec
from pipeline.studies.sides import Space
from pipeline.validation.grouping import bounded, union
from pipeline.validation.row_context import stated_rates

PART_CONFIGURATIONS = 200_000  # the product of one part's axes (a serving row alone: tp grid x batches x replicas, <= 490)


def group_spec(specs: list[dict]) -> SweepSpec:
    """The parsed spec whose axes hold every value of ``specs``' axes; offline serving rows at a null request
    rate beside rows under load keep it (``row_context.unloaded``: ``parse_spec`` takes positive rates only)."""
    merged = union(specs)
    rates, offline = stated_rates(merged["axes"].get("request_rate"))
    axes = {k: v for k, v in merged["axes"].items() if k != "request_rate"} | (
        {} if rates is None else {"request_rate": rates})
    spec = parse_spec({k: v for k, v in merged.items() if k != "burst"} | {"axes": axes}, "measurements")
    if offline:
        spec = replace(spec, axes=replace(spec.axes, request_rate=(*spec.axes.request_rate, None)))
    return spec


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
