"""kernel_efficiency's training_attention_time_ratio (research/r-trattn): > 0, and a source wherever it is set."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, validate
from pipeline.errors import InputError

BUNDLED = Path(__file__).resolve().parents[2] / "registry_data"
RATIO, SOURCE = "training_attention_time_ratio", "training_attention_time_ratio_source"


def test_a_ratio_without_its_source_or_not_positive_is_rejected():
    kernels = read_catalog("kernel_efficiency", BUNDLED)
    gb300_fp8 = (pl.col("hardware") == "GB300 NVL72 GPU") & (pl.col("precision") == "fp8") \
        & (pl.col("efficiency_basis") != "attention fit")
    no_source = kernels.with_columns(pl.when(gb300_fp8).then(None).otherwise(pl.col(SOURCE)).alias(SOURCE))
    with pytest.raises(InputError) as err:
        validate(no_source, "kernel_efficiency")
    assert "column training_attention_time_ratio_source: got None, expected a source where " \
        "training_attention_time_ratio is set" in str(err.value)
    with pytest.raises(InputError, match=RATIO):
        validate(kernels.with_columns(pl.when(gb300_fp8).then(0.0).otherwise(pl.col(RATIO)).alias(RATIO)),
                 "kernel_efficiency")


def test_a_registry_without_the_column_reads_it_as_null():
    kernels = read_catalog("kernel_efficiency", BUNDLED).drop(RATIO, SOURCE)
    assert validate(kernels, "kernel_efficiency")[RATIO].null_count() == kernels.height
