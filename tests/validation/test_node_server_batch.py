"""A node-study Server row that states its ``batch`` runs at it, per GPU: the Server config's gpu_batch_size, the
most samples NVIDIA's MLPerf harness puts in one engine call on one GPU (BERT-99 on H100 SXM: 128 in Server against
1280 in Offline, mlcommons/inference_results_v4.1 closed/NVIDIA/configs/bert/{Server,Offline}/__init__.py); the
system's samples/s is the devices times one GPU's. A row of unstated batch takes the best batch that fits
(registry_data/research/r-bertsrv: the script that would state it on the catalog's Server rows)."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline.validation import NODE_BATCHES, measurement_spec, predict, read_measurements
from pipeline.validation.predict import SPEC_INPUTS

from .measured_csv import URL, write

BERT = f"{URL},NAME,samples_per_s,57928,,,1/s,BERT-Large,H100 SXM5 80GB,,8,int8,,default,server,BATCH,384,,,,,,,,T1"


def test_a_server_rows_stated_batch_is_its_per_gpu_batch():
    row = dict.fromkeys(SPEC_INPUTS) | {"study": "node", "scenario": "server", "metric": "samples_per_s",
                                        "framework": "default", "model": "BERT-Large", "hardware": "H100 SXM5 80GB",
                                        "compute_dtype": "int8", "devices": 8, "seq_len": 384}
    spec, reason = measurement_spec(row | {"batch": 128})
    assert reason is None
    assert spec["axes"]["batch"] == [128]  # not 128 / 8: a training row's batch is global, an inference row's per GPU
    assert spec["axes"]["workload"] == ["inference"]
    assert measurement_spec(row)[0]["axes"]["batch"] == NODE_BATCHES


def test_a_server_row_is_predicted_at_its_batch_on_every_gpu(tmp_path, catalogs):
    path = write(tmp_path, [BERT.replace("NAME", "stated").replace("BATCH", "128"),
                            BERT.replace("NAME", "unstated").replace("BATCH", "")])
    out = {r["name"]: r for r in predict(read_measurements(path, catalogs).rows, catalogs).iter_rows(named=True)}
    one = pipeline.sweep({"axes": {"model": ["BERT-Large"], "hardware": ["H100 SXM5 80GB"], "compute_dtype": ["int8"],
                                   "batch": [128, 1024], "seq_len": [384]}})
    rate = dict(one.filter(pl.col("step").is_in(["forward", "prefill"])).select("batch", "samples_per_s").iter_rows())
    assert out["stated"]["batch_used"] == 128
    assert out["stated"]["predicted"] == pytest.approx(8 * rate[128], rel=1e-12)
    assert out["unstated"]["batch_used"] == 1024  # the grid's best (its largest), standing for Offline's 1280
    assert out["unstated"]["predicted"] > out["stated"]["predicted"]
