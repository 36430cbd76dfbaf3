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

Rows of several frameworks share a group too: a framework picks the efficiency profiles, which only the hardware
side reads, so each framework's space is built and its hardware rows are named ``<hardware> | framework <name>``
(``tag_frameworks`` names the rows' configurations alike); one plan then serves them all (250 rows of
``mlsys bench --validate``: 23 plans became 12, predictions 9.6-10.4 CPU s became 6.0-7.3, the same values).
Training rows that state [training] knobs (their kernels, ``training_spec``) and serving rows that state [serving]
knobs (``serving_rows.decode_kernel_of``) are such variants too: the knobs are columns of the study's hardware side
only (``variant``), so a framework's space is built once and each variant's hardware rows are its rows with the
variant's knob columns (``with_knobs``).
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from pipeline.spec import SweepSpec, parse_spec
from pipeline.studies.knobs import KNOBS, knob_column
from pipeline.studies.model_subexpressions import PREFIX
from pipeline.studies.sides import Space
from pipeline.studies.training_model_terms import SUFFIX
from pipeline.studies.training_reference import SIDE_IDS
from pipeline.validation import grouping
from pipeline.validation.grouping import bounded, union

TAG = " | framework "  # a hardware row of one framework (tagged): "<name> | framework <framework>"
PART_CONFIGURATIONS = 5_000_000  # the product of one part's axes (one serving row: tp grid x batches, <= 70)


def group_spec(specs: list[dict]) -> SweepSpec:
    """The parsed spec whose axes hold every value of ``specs``' axes."""
    return parse_spec({k: v for k, v in union(specs).items() if k != "burst"}, "measurements")


def build_shared(study, catalogs, specs: list[dict], limit: int | None = None) -> Space:
    """The space of ``specs`` (one group: one study, set of axes and overrides) from parts of at most ``limit``
    (default ``PART_CONFIGURATIONS``) configurations each; one part of one framework: the study's own space.
    Rows of several variants: each framework's space (``base``), each variant's hardware rows (its knob columns:
    ``with_knobs``) named apart (``tagged``), stacked."""
    if limit is None:  # a training space is the product of its layout axes: parts of fewer configurations
        limit = grouping.MAX_CONFIGURATIONS if specs[0].get("study") == "training" else PART_CONFIGURATIONS
    variants = list(dict.fromkeys(variant(s) for s in specs))
    if len(variants) == 1:
        return _one_framework(study, catalogs, specs, limit)
    key = hardware_key(specs)
    spaces, hardware, rows = [], [], 0
    for b in dict.fromkeys(base(s) for s in specs):  # one space per framework; its knobs' variants: hardware rows
        alike = [s for s in specs if base(s) == b]
        shared = _one_framework(study, catalogs, alike, limit)
        folded = any(c.endswith(SUFFIX) or c.startswith(PREFIX) for c in shared.model_side.columns)
        spaces += [] if folded else [shared]
        for v in dict.fromkeys(variant(s) for s in alike):
            own_rows = [s for s in alike if variant(s) == v]
            side = None if folded else with_knobs(shared.hardware_side.filter(  # the variant's own accelerators
                pl.col(key).cast(pl.String).is_in(list({h for s in own_rows for h in s["axes"][key]}))),
                own_rows[0], study.KNOBS)
            own = shared
            if side is None:  # the variant's own space (see ``with_knobs``)
                own = _one_framework(study, catalogs, own_rows, limit)
                spaces.append(own)
                side = own.hardware_side
            hardware.append(_tagged(side, key, v))
            rows += own.rows
    return replace(_stacked_spaces(spaces), hardware_side=_stacked(hardware), row_count=rows)


def base(spec: dict) -> str:
    """What of a row's spec its space is built from: the framework, and a node row's [data] (its devices and cluster
    set hardware-side columns of their own). A row's [training] or [serving] knobs set knob columns only
    (``with_knobs``): its variant's hardware rows are its base's with those columns."""
    return framework(spec) + (f" | data {spec['data']}" if spec.get("data") else "")


def with_knobs(side: pl.DataFrame, spec: dict, knobs: list[str]) -> pl.DataFrame | None:
    """The hardware side ``side`` with the columns of ``knobs`` (a study's ``KNOBS``: ``pipeline.studies.knobs``) at
    ``spec``'s values, as ``sides.hardware_side`` sets them (and reads nothing else of them); None where a column's
    type would change.
    Not for a space whose model side holds terms computed with the hardware side's one-valued columns (a large
    training space: ``training_model_terms``, ``model_subexpressions``): ``build_shared`` builds each variant's own.
    Measured (250 rows of ``mlsys bench --validate``, one process, CPU s): the 31 training rows' 13 variants of
    stated knobs built as 13 spaces 0.64, as one 0.27, the same predictions."""
    parsed = group_spec([spec])
    out = side.with_columns(knob_column(KNOBS[n].value(parsed), KNOBS[n].unit).alias(n)
                            for n in knobs if n in KNOBS)
    return out if out.schema == side.schema else None


def framework(spec: dict) -> str:
    """The framework whose efficiency profiles a row's spec reads."""
    return spec["efficiency"]["framework"]


def variant(spec: dict) -> str:
    """What of a row's spec only its hardware rows read: the framework, a training row's stated [training] knobs
    (``training_spec``) and a serving row's [serving] knobs (``serving_rows.decode_kernel_of``), which the studies put
    on their hardware side as columns (``pipeline.studies.knobs.KNOBS``) and read nowhere else."""
    for section in ("training", "data", "serving"):  # a node row's [data]: its devices and cluster
        if spec.get(section):
            return f"{framework(spec)} | {section} " + ", ".join(f"{k}={v}" for k, v in spec[section].items())
    return framework(spec)


def hardware_key(specs: list[dict]) -> str:
    """The axis naming a hardware-side row: the cluster of a training row, else the accelerator."""
    return "cluster" if specs[0].get("study") == "training" else "hardware"


def tag_frameworks(keys: pl.DataFrame, members: list[int], specs: list[dict]) -> pl.DataFrame:
    """``keys`` (one row per configuration of measurement ``members``) with each row's hardware named as its
    framework's hardware row (``build_shared``), where the group holds rows of several frameworks."""
    names = [variant(s) for s in specs]
    if len(set(names)) == 1:
        return keys
    key = hardware_key(specs)
    tag = pl.col("measurement").replace_strict(members, names, return_dtype=pl.String)
    return keys.with_columns(pl.concat_str(pl.col(key).cast(pl.String), pl.lit(TAG), tag).alias(key))


def _tagged(side: pl.DataFrame, key: str, name: str) -> pl.DataFrame:
    """The hardware side ``side`` with its rows named ``<hardware><TAG><variant>``."""
    return side.with_columns(pl.concat_str(pl.col(key).cast(pl.String), pl.lit(TAG + name)).cast(side.schema[key]))


def _one_framework(study, catalogs, specs: list[dict], limit: int) -> Space:
    """The space of rows of one framework, in parts of at most ``limit`` configurations."""
    by_index = dict(enumerate(specs))
    similar = sorted(by_index, key=lambda i: tuple(str(v) for v in specs[i]["axes"].values()))  # alike rows together
    parts = bounded(similar, by_index, limit, every_study=True)
    if len(parts) == 1:
        return study.build_space(catalogs, group_spec(specs))
    return _stacked_spaces([study.build_space(catalogs, group_spec([specs[i] for i in part])) for part in parts])


def _stacked_spaces(spaces: list[Space]) -> Space:
    """One space holding the parts' rows (each once), their dropped rows counted together."""
    dropped: dict[str, int] = {}
    for s in spaces:
        for reason, n in s.dropped.items():
            dropped[reason] = dropped.get(reason, 0) + n
    first = spaces[0]
    return Space(_stacked([s.hardware_side for s in spaces]), _stacked([s.model_side for s in spaces]), first.units,
                 dropped, first.row_filter, row_count=sum(s.rows for s in spaces))


def _stacked(sides: list[pl.DataFrame]) -> pl.DataFrame:
    """The parts' rows of one side, in order, each once; without the training sides' row ids, which number each
    part's rows apart (``training_reference.with_shape_ids``: the study then computes its η per row), and without a
    column only some parts hold (a side's constant shortcut, e.g. the node study's all-reduce at one device: the
    study then computes it per row)."""
    common = [c for c in sides[0].columns if all(c in s.columns for s in sides) and c not in SIDE_IDS]
    return pl.concat([s.select(common) for s in sides], how="vertical").unique(maintain_order=True)
