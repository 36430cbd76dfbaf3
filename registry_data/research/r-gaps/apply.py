"""Replay patches.csv onto the measurements catalog: what Korthikanti et al. 2022 (arXiv:2205.05198)
state ran for their 14 rows (the GPT-3 175B, MT-NLG 530B and 1T configurations of Table 3: Table 5's
step times and the §6.1 out-of-memory rows). Their activation memory (§4.1, eq. 1, sbh(34 + 5as/h) a
layer) counts what Megatron-LM stored then: the attention softmax and its dropout mask (as^2b each,
the 5as/h term that selective recomputation drops, §5) and the attention and MLP dropout masks
(sbh each). So the rows state ``flash_attention = false`` (the softmax is written and kept: the
paper's selective recomputation exists because it is) and ``dropout = true`` (the masks are kept),
instead of the training defaults (fused attention, no dropout) they were read with.

The source is appended to each row's notes once, so a second run changes nothing. Run from the
repository root:

    .venv/bin/python registry_data/research/r-gaps/apply.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
NEW_COLUMNS = {"flash_attention": pl.Boolean, "dropout": pl.Boolean}
_SPEC = importlib.util.spec_from_file_location("apply_feas", HERE.parent / "r-feas" / "apply.py")
r_feas = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(r_feas)


def apply(registry: Path = REGISTRY) -> int:
    """r-feas's replay procedure on this directory's patches.csv."""
    return r_feas.apply(registry, HERE, NEW_COLUMNS)


if __name__ == "__main__":
    print(apply(), "patches")
