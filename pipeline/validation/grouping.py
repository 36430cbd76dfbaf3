"""Which measurement rows ``pipeline.validation.predict`` predicts together: one space and one collect
per group. A collect costs mostly its plan (the formulas' expressions, the schema checks, polars'
optimizer), nearly as much for one row as for a hundred, so fewer groups take less time: 16 training
rows in 10 groups of one model on one cluster took 1.7 CPU s, in 4 groups 0.7 s, with the same
predictions."""

from __future__ import annotations

import math

# A group's space is built from the product of its axes' values before it is restricted to the rows' own
# configurations; the layout axes of many published training runs multiply into a space far larger than
# the rows (the 104 training rows of the catalog as one group did not finish in ten minutes), so a
# training group's space is built in parts whose axes multiply to at most this many configurations
# (``shared_space.build_shared``).
MAX_CONFIGURATIONS = 100_000
# [serving] settings that override a framework profile's term (studies.efficiency.FRAMEWORK_TERMS: the group's space
# reads them from its spec, not per variant as a studies.knobs knob): rows stating different values are grouped apart
FRAMEWORK_SETTINGS = ("prefill_chunk_tokens",)


def group_key(spec: dict) -> tuple:
    """Rows that may share a space: one study, one set of axes and one context of the run (``run_context``'s
    overrides); a burst apart from rows without one. The framework (it picks the η profiles), a training row's stated
    [training] knobs and a serving row's [serving] knobs (``serving_rows.decode_kernel_of``), which only the hardware
    side reads, split nothing: each variant's hardware rows are rows of their own (``shared_space.build_shared``,
    ``shared_space.variant``); a [serving] setting of a framework term (``FRAMEWORK_SETTINGS``) does."""
    key = (spec.get("study", "node"), tuple(spec["axes"]), tuple(spec.get("overrides", {}).items()))
    apart = tuple((k, v) for k, v in spec.get("serving", {}).items() if k in FRAMEWORK_SETTINGS)
    return key + (("burst",) if "burst" in spec else ()) + apart


def union(specs: list[dict]) -> dict:
    """One spec whose axes hold every value of the given specs' axes."""
    axes = {a: list(dict.fromkeys(v for s in specs for v in s["axes"][a])) for a in specs[0]["axes"]}
    return specs[0] | {"axes": axes}


def bounded(members: list[int], specs: dict[int, dict], limit: int | None = None,
            every_study: bool = False) -> list[list[int]]:
    """The rows of one key in consecutive runs, in order: all of them for node and serving rows (unless
    ``every_study``); training rows while their axes' values multiply to at most ``limit`` (default
    ``MAX_CONFIGURATIONS``) configurations (a row whose own axes exceed it stands alone)."""
    limit = MAX_CONFIGURATIONS if limit is None else limit
    if specs[members[0]].get("study") != "training" and not every_study:
        return [members]
    runs: list[list[int]] = []
    values: dict[str, dict] = {}  # each axis's values in the current run, in order
    for i in members:
        grown = {a: values.get(a, {}) | dict.fromkeys(v) for a, v in specs[i]["axes"].items()}
        if not runs or math.prod(len(v) for v in grown.values()) > limit:
            runs.append([])
            grown = {a: dict.fromkeys(v) for a, v in specs[i]["axes"].items()}
        runs[-1].append(i)
        values = grown
    return runs
