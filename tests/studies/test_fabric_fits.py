"""Wall 14's all-reduce columns, once per hardware catalog content and fits (``pipeline.studies.fabric_fits``)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs import collective_fits, custom_allreduce
from pipeline.catalogs.load import load_catalogs
from pipeline.studies.fabric_fits import allreduce_fits

H100 = "H100 SXM5 80GB"


@pytest.fixture(scope="module")
def parts():
    catalogs = load_catalogs()
    registry = catalogs.paths["hardware"].parent
    return catalogs.hardware, collective_fits.load_fits(registry), custom_allreduce.load_fits(registry)


def test_the_columns_are_the_two_functions_of_the_catalog(parts):
    hardware, fits, custom = parts
    nccl, one_shot = allreduce_fits(hardware, fits, custom)
    assert nccl.equals(collective_fits.allreduce_columns(hardware, fits))
    assert one_shot.equals(custom_allreduce.custom_allreduce_columns(hardware, custom))


def test_an_equal_catalog_made_anew_gets_the_same_columns(parts):
    hardware, fits, custom = parts
    first = allreduce_fits(hardware, fits, custom)
    again = allreduce_fits(hardware.with_columns(pl.col("name")), fits, custom)  # another frame, the same rows
    assert again[0] is first[0] and again[1] is first[1]


def test_a_changed_catalog_gets_its_own_columns(parts):
    """The fitted alpha is a multiple of the catalog's link latency (alpha / latency): twice the H100's latency,
    half its ratio, in both tables; every other accelerator unchanged."""
    hardware, fits, custom = parts
    nccl, one_shot = allreduce_fits(hardware, fits, custom)
    slower = hardware.with_columns(pl.when(pl.col("name") == H100).then(pl.col("scaleup_link_latency_s") * 2)
                                   .otherwise("scaleup_link_latency_s").alias("scaleup_link_latency_s"))
    nccl2, one_shot2 = allreduce_fits(slower, fits, custom)
    assert nccl2 is not nccl

    def ratio(frame, column, name=H100):
        return frame.filter(pl.col("name") == name)[column].item()

    assert ratio(nccl2, "allreduce_alpha_ratio_r0") == pytest.approx(ratio(nccl, "allreduce_alpha_ratio_r0") / 2)
    assert ratio(one_shot2, "custom_allreduce_alpha_ratio") == pytest.approx(
        ratio(one_shot, "custom_allreduce_alpha_ratio") / 2)
    assert ratio(nccl2, "allreduce_alpha_ratio_r0", "A100 SXM4 80GB") == ratio(
        nccl, "allreduce_alpha_ratio_r0", "A100 SXM4 80GB")
