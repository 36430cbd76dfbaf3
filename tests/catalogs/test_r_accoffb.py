"""registry_data/research/r-accoffb/offline_batches.py: each MLPerf Offline CNN / BERT row's gpu_batch_size and
gpu_inference_streams from its own submitter's config at the commit its source_url names (NOT applied to
registry_data: README.md there). The v5.1 EXPORTS reader is checked on a config's text; the rows against the bare
mirrors the session's ``fetch`` makes (skipped where they are absent)."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-accoffb"
MIRROR = Path("/work/.mirror")
# inference_results_v5.1 965182b, closed/Dell/configs/R570-L4-PCIE-24GBx4/Offline/retinanet.py lines 10-16 (cut).
V51 = """import code.fields.models as model_fields
import code.fields.harness as harness_fields
EXPORTS = {
    C.WorkloadSetting(C.HarnessType.Custom, C.AccuracyTarget(0.99), C.PowerSetting.MaxP): {
        model_fields.gpu_batch_size: {
            'retinanet': 2,
        },
        harness_fields.gpu_copy_streams: 2,
        harness_fields.gpu_inference_streams: 2,
        harness_fields.use_graphs: False,
        harness_fields.map_path: 'data_maps/open-images-v6-mlperf/val_map.txt',
    },
}
"""
# Pinned by hand from the configs (gpu_batch_size, gpu_inference_streams):
# - v4.1 198fc46 closed/Lenovo/configs/retinanet/Offline/__init__.py:60-62 (class Lenovo_2xL40S): 4, 2
# - v4.1 2e26a06 closed/Dell/configs/resnet50/Offline/custom.py:34,37 (class R760xa_L40Sx4): 32, 4
# - v5.1 965182b closed/Dell/configs/R570-L4-PCIE-24GBx4/Offline/retinanet.py:12,15: 2, 2
PINNED = {"mlperf-inf-v4.1-lenovo-l40sx2-retinanet-offline": (4, 2),
          "mlperf-inf-v4.1-dell-l40sx4-resnet50-offline": (32, 4),
          "mlperf-inf-v5.1-dell-l4x4-retinanet-offline": (2, 2)}
# Dell's v4.1 RetinaNet Offline configs hold no R760xa_L40Sx4 class: the row keeps its null batch.
NO_CLASS = "mlperf-inf-v4.1-dell-l40sx4-retinanet-offline"
needs_mirror = pytest.mark.skipif(not (MIRROR / "mlcommons+inference_results_v5.1").exists(),
                                  reason="no mlcommons results mirror on this machine")
# the rounds the catalog's Offline CNN / BERT rows come from: with one of them absent (v4.0's snapshot is over what
# ``fetch`` brings) its rows stay unchanged and the count of changed rows does not hold
ROUNDS = ("v3.0", "v4.0", "v4.1", "v5.1")
needs_every_round = pytest.mark.skipif(
    not all((MIRROR / f"mlcommons+inference_results_{r}").exists() for r in ROUNDS),
    reason="the mlcommons results mirrors of rounds " + ", ".join(ROUNDS) + " are not all on this machine")


@pytest.fixture(scope="module")
def offline():
    return script(HERE / "offline_batches.py", "r_accoffb_offline_batches")


def test_a_v51_exports_dict_gives_its_batch_streams_and_graphs(offline, monkeypatch):
    monkeypatch.setattr(offline, "show", lambda mirror, commit, path: V51)
    got, files = offline.exported(Path("/nowhere"), "inference_results_v5.1", "c" * 40, "Dell", "R570-L4-PCIE-24GBx4",
                                  "retinanet")
    assert (got["gpu_batch_size"], got["gpu_inference_streams"], got["use_graphs"]) == ({"retinanet": 2}, 2, False)
    assert files == ["https://github.com/mlcommons/inference_results_v5.1/blob/" + "c" * 40
                     + "/closed/Dell/configs/R570-L4-PCIE-24GBx4/Offline/retinanet.py"]


def test_a_file_with_maxp_and_maxq_settings_gives_the_maxp_ones(offline, monkeypatch):
    # v5.1 configs that also hold a power (MaxQ) submission's settings (Google's H200-SXM-141GBx8 retinanet.py: 48 / 16)
    maxq = V51.split("EXPORTS = {\n", 1)[1].replace("MaxP", "MaxQ").replace("'retinanet': 2", "'retinanet': 16")
    both = V51.rstrip().removesuffix("}") + maxq
    monkeypatch.setattr(offline, "show", lambda mirror, commit, path: both)
    got, _ = offline.exported(Path("/nowhere"), "inference_results_v5.1", "c" * 40, "Dell", "R570", "retinanet")
    assert got["gpu_batch_size"] == {"retinanet": 2}


def test_a_file_without_one_settings_dict_is_an_error_naming_it(offline, monkeypatch):
    monkeypatch.setattr(offline, "show", lambda mirror, commit, path: "EXPORTS = {}\n")
    with pytest.raises(SystemExit, match="R570.*0 settings dicts"):
        offline.exported(Path("/nowhere"), "inference_results_v5.1", "c" * 40, "Dell", "R570", "retinanet")


@needs_mirror
def test_the_rows_read_their_own_submitters_offline_config(offline):
    rows = read_catalog("measurements").filter(pl.col("name").is_in([*PINNED, NO_CLASS]))
    table = offline.batches(MIRROR, rows)
    assert {n: (b, s) for n, b, s in table.select("name", "batch", "streams").iter_rows()} == PINNED


@needs_every_round
def test_writing_states_the_batch_on_a_copy_and_leaves_other_rows(offline, tmp_path):
    source = Path(__file__).resolve().parents[2] / "registry_data"
    shutil.copytree(source, tmp_path / "reg", ignore=shutil.ignore_patterns("research"))
    before = read_catalog("measurements", tmp_path / "reg")
    offline.main(MIRROR, tmp_path / "reg", in_flight=True)
    after = read_catalog("measurements", tmp_path / "reg")
    batch = dict(after.select("name", "batch").iter_rows())
    assert [batch[n] for n in PINNED] == [8, 128, 4]  # gpu_batch_size x gpu_inference_streams
    assert batch[NO_CLASS] is None
    changed = before.join(after.select("name", new="batch"), on="name").filter(
        pl.col("batch").ne_missing(pl.col("new")))
    changed = changed.filter(~pl.col("notes").str.contains("MLPerf Inference v5.1 closed datacenter (",
                                                           literal=True))  # r-v50b's rows came later
    assert changed.height == 33 and set(changed["scenario"]) == {"offline"}
