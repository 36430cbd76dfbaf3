"""A run that names its attention kernel takes that kernel's "attention fit" row (``kernels.named_attention_kernel``):
its ceiling, s_half and d_half, on rows with a kernel fit only; no name keeps the default fit; an unknown name is an
error naming the table and column."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.errors import InputError
from pipeline.studies.kernels import ATTENTION_FIT, named_attention_kernel

KERNELS = pl.DataFrame({"hardware": ["B200", "B200", "H100"], "precision": ["bf16"] * 3,
                        "efficiency_basis": ["kernel fit", ATTENTION_FIT, "kernel fit"],
                        "attention_kernel": ["FA4", "FlashAttention-2", "FlashAttention-3"],
                        "attention_ceiling": [0.88, 0.28, 0.83], "attention_s_half": [300.0, 300.0, 300.0],
                        "attention_d_half": [32.0, 32.0, 32.0]})
SIDE = pl.DataFrame({"name": ["B200", "B200", "H100"], "compute_dtype": ["bf16", "bf16", "bf16"],
                     "efficiency_basis": ["kernel fit", "override η", "kernel fit"],
                     "attention_ceiling": [0.88, None, 0.83], "attention_s_half": [300.0, None, 300.0],
                     "attention_d_half": [32.0, None, 32.0], "gemm_units": [148.0, None, 132.0]})


def test_the_named_kernels_ceiling_replaces_the_default_where_the_row_has_a_fit():
    out = named_attention_kernel(SIDE, KERNELS, "FlashAttention-2")
    # B200 with a fit: FA2's 0.28; B200 under an override: unchanged (null); H100 has no FA2 row: its default
    assert out["attention_ceiling"].to_list() == [0.28, None, 0.83]
    assert out.columns == SIDE.columns and out["gemm_units"].equals(SIDE["gemm_units"])


def test_no_name_keeps_the_catalogs_fit_and_an_unknown_name_is_an_error():
    assert named_attention_kernel(SIDE, KERNELS, None).equals(SIDE)
    with pytest.raises(InputError, match=r"(?s)kernel_efficiency.*attention_kernel.*'FA9'.*FlashAttention-2"):
        named_attention_kernel(SIDE, KERNELS, "FA9")


def test_a_node_sweep_names_its_attention_kernel_and_other_studies_cannot():
    from pipeline.spec import parse_spec

    spec = parse_spec({"study": "node", "efficiency": {"attention_kernel": "FlashAttention-2"}})
    assert spec.efficiency.attention_kernel == "FlashAttention-2"
    assert parse_spec({"study": "node"}).efficiency.attention_kernel is None
    with pytest.raises(InputError, match="attention_kernel"):
        parse_spec({"study": "training", "efficiency": {"attention_kernel": "FlashAttention-2"}})
