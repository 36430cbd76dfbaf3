"""One vocabulary for the ``bound`` columns of every study: the term that sets the time, or
why there is no time (issue 11 item 4). A bound column is built with ``binding`` so a word
outside the vocabulary fails when the plan is built."""

from __future__ import annotations

from pipeline.units import E, Plain

BOUNDS = {
    "compute": "arithmetic at peak FLOP/s x eta_compute sets the time (wall 1)",
    "memory": "bytes moved to and from device memory at its bandwidth set the time (wall 2)",
    "network": "collectives and point-to-point sends over the scale-up or scale-out links (wall 14)",
    "overhead": ("fixed per-kernel costs neither FLOP/s nor bandwidth moves: host launches, or for a graphed or "
                 "enqueued step each kernel's fixed device time plus one replay or launch (wall 3)"),
    "host link": "weights streamed from host memory over the host link (wall 6)",
    "input pipeline": "storage or host preprocessing cannot keep up with the accelerators (walls 8, 9)",
    "bubble": "pipeline stages idle while the pipeline fills and drains (wall 14)",
    "capacity": "the configuration does not fit in device memory: no time (wall 2)",
}


def binding(*cases: tuple[Plain, str], otherwise: str) -> Plain:
    """The first case's word whose condition holds, else ``otherwise``, as a category."""
    for word in (*(w for _, w in cases), otherwise):
        if word not in BOUNDS:
            raise ValueError(f"bound {word!r} is not in the vocabulary ({', '.join(BOUNDS)})")
    (condition, word), *rest = cases
    out = E.when(condition).then(category(word))
    for condition, word in rest:
        out = out.when(condition).then(category(word))
    return out.otherwise(category(otherwise)).cast(E.Categorical)


def category(word: str) -> Plain:
    """``word`` as a categorical literal: a when/then chain of these picks categories, where one of text literals
    builds a text column and casts it (~4x the CPU per row on polars 2.1; the same values)."""
    return E.lit(word, E.Categorical)
