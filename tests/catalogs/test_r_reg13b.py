"""Issue 13 (registry_data/research/r-reg13b): the figures NVIDIA's own MLPerf Inference v5.1 system descriptions
state for the B200, GB200 and GB300 (capacity, TGP), the two NVIDIA figures for the GB300's memory, Intel's
Gaudi 3 power limit, and the sentence each rounding model card's row carries about which count it is compared with."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from pipeline.studies.sides import shaped_models
from pipeline.walls.architecture import MODEL_COLUMNS

GIB = 1024 ** 3


@pytest.fixture(scope="module")
def hardware() -> pl.DataFrame:
    return read_catalog("hardware")


# name, MLPerf v5.1 system file's accelerator_memory_capacity (GB) and hw_notes TGP (W), the row's memory (GiB)
# (GB300: 279 -> 278 GiB in r-reg13c)
MLPERF = [("B200 (HGX B200)", 180, 1000, 180), ("GB200 NVL72 GPU", 186, 1200, 186), ("GB300 NVL72 GPU", 288, 1400, 278)]


@pytest.mark.parametrize(("name", "mlperf_gb", "tgp_w", "row_gib"), MLPERF)
def test_capacity_and_tdp_against_nvidias_mlperf_system_description(hardware, name, mlperf_gb, tgp_w, row_gib):
    row = hardware.filter(pl.col("name") == name).row(0, named=True)
    assert row["memory_capacity_bytes"] == row_gib * GIB
    assert row["tdp_w"] == tgp_w
    assert f"TGP {tgp_w}W" in row["notes"] and f"accelerator_memory_capacity '{mlperf_gb} GB'" in row["notes"]
    # the peaks are not in that document: the row stays secondary and says so
    assert row["source_quality"] == "secondary" and "Not traced: every peak" in row["notes"]


def test_gb300_memory_names_both_nvidia_figures(hardware):
    """NVIDIA's MLPerf SKU 'GB300-288GB' vs NVIDIA's DGX Station notes 'up to 279 GB HBM3e': the row keeps 279 GiB
    and says why; the Station notes' 20 PF sparse FP4 is the rack's 1,440 PF / 72."""
    notes = hardware.filter(pl.col("name") == "GB300 NVL72 GPU")["notes"][0]
    assert "up to 279 GB HBM3e, 20 PFLOPS sparse FP4" in notes and "the row keeps 279 GiB" in notes
    assert 1440 / 72 == 20
    # r-reg13c: those notes are about the DGX Station's GB300; the NVL72 GPU's figures say 278 (test_r_reg13c.py)
    assert "that sentence is superseded" in notes


def test_gaudi3_power_limit_is_noted_not_used(hardware):
    row = hardware.filter(pl.col("name") == "Gaudi 3").row(0, named=True)
    assert row["tdp_w"] == 900  # Intel's Hot Chips 2024 deck (air-cooled OAM); the hl-smi limit is another quantity
    assert "'Maximum power limit: 850W'" in row["notes"] and "noted, not used" in row["notes"]
    assert row["scaleup_link_bandwidth_bytes_per_s"] == 21 * 200e9 / 8  # 21 x 200 GbE scale-up ports, per direction


@pytest.fixture(scope="module")
def models() -> pl.DataFrame:
    frame, _units = shaped_models(read_catalog("models"), ["params_published", "notes", *MODEL_COLUMNS])
    return frame.rename({"model": "name"})


# name, exact count from the released bf16 weights (total_size bytes / 2), the card's label
CHECKPOINT = [("Mistral Small 3 (24B, 2501)", 47_144_806_400 // 2, 24e9),
              ("Mistral Nemo 12B", 24_495_564_800 // 2, 12e9),
              ("Phi-4 (14B)", 29_319_014_400 // 2, 14e9)]


@pytest.mark.parametrize(("name", "count", "label"), CHECKPOINT)
def test_rounding_cards_name_the_checkpoint_count_they_are_compared_with(models, name, count, label):
    row = models.filter(pl.col("name") == name).row(0, named=True)
    assert row["params_published"] == count == row["params_computed"]
    assert "Count compared under issue 13's 1 % rule: the text decoder with its input embedding" in row["notes"]
    assert f"{count:,}" in row["notes"]
    assert abs(count / label - 1) > 0.01  # the label is not the count: why these rows say which count


def test_kimi_k2_keeps_the_r_reg13b_sentence_that_r_reg13c_supersedes(models):
    """r-reg13b found no count independent of the config; r-reg13c found the released weights' count
    (tests/catalogs/test_r_reg13c.py) and says that it supersedes this sentence."""
    notes = models.filter(pl.col("name") == "Kimi K2")["notes"][0]
    assert "none independent of this row's config is available" in notes
    assert "supersedes the r-reg13b sentence" in notes
    # the two figures Moonshot gives, and how far the config's count is from each, as the note states them
    computed = 1_026_408_209_408
    assert computed / 1e12 - 1 == pytest.approx(0.026, abs=0.001)
    assert computed / 1.04e12 - 1 == pytest.approx(-0.013, abs=0.001)
