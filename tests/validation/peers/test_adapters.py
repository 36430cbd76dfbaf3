"""Rows mapped to each peer tool's request, from our catalogs."""

from __future__ import annotations

import pytest

from pipeline.validation.peers import jobs


def test_rows_map_to_each_tool_from_our_catalogs(rows, catalogs):
    by_row = {(j.name, j.tool): j for j in jobs(rows, catalogs, None, tp_as_one_device=False)}
    assert by_row["resnet-b1", "llm-analysis"].reason.startswith("a cnn model")
    assert by_row["llama-ttft", "mlsysim"].reason.startswith("tp x pp = 8")
    resnet = by_row["resnet-b1", "mlsysim"].request
    assert resnet["model"]["inference_flops"] == pytest.approx(8.178e9)  # the catalog's, not the tool's table
    assert resnet["hardware"]["precision_flops"]["fp16"] == pytest.approx(312e12)
    fleet = by_row["gpt3-step", "mlsysim"].request
    assert fleet["fleet"]["nodes"] * fleet["fleet"]["accelerators_per_node"] == 384
    assert fleet["parallel"]["microbatch_count"] == 384 and fleet["parallel"]["activation_recomputation"]
    llama = by_row["llama-ttft", "llm-analysis"].request
    assert llama["model"]["ffn_embed_dim"] == 28672 * 3 // 2  # gated MLP as the tool's two matrices
    assert llama["parallel"] == {"tp_size": 8, "pp_size": 1} and llama["batches"] == [1]
    one_device = {(j.name, j.tool): j for j in jobs(rows, catalogs, None, tp_as_one_device=True)}
    # 8 H100s of 80 GiB each (the datasheet's "80 GB" is binary, issue 12)
    assert one_device["llama-ttft", "mlsysim"].request["hardware"]["memory_bytes"] == pytest.approx(8 * 80 * 2**30)


def test_a_training_rows_samples_per_s_is_not_sent_as_a_forward_pass(tmp_path, catalogs):
    """MLPerf's ResNet-50 training throughput is predicted as the train step on each GPU's share of
    the batch; the peers' node calls are one inference forward pass, so the row is not sent to them."""
    from pipeline.validation import read_measurements

    from ..measured_csv import URL, write

    row = (f"{URL},resnet-train,samples_per_s,57277,,,1/s,ResNet-50,H100 SXM5 80GB,,8,fp16,,default,training,3200,"
           ",,,,,,,,T1")
    measured = read_measurements(write(tmp_path, [row]), catalogs)
    reasons = {j.tool: j.reason for j in jobs(measured.rows, catalogs, None, tp_as_one_device=False)}
    assert reasons and all(r.startswith("a training row's samples/s") for r in reasons.values())


def test_an_out_of_memory_row_is_not_sent_to_the_tools(catalogs):
    """A configuration published as out of memory (value 1) is a feasibility check, not a value to predict."""
    import polars as pl

    from pipeline.validation import read_measurements

    measured = read_measurements(None, catalogs).rows.filter(pl.col("metric") == "oom_training").head(1)
    reasons = {j.tool: j.reason for j in jobs(measured, catalogs, None, tp_as_one_device=False)}
    assert reasons and all(r.startswith("published as out of memory") for r in reasons.values())
