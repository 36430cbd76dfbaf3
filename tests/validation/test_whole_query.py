"""A decoder LLM's ``latency_s`` is a whole query (issue 12): MLPerf's GPT-J SingleStream latency times one sample
from issue to its last generated token, so the row is the serving study's end-to-end latency (prefill and every
decode step), never the node study's one forward pass."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.validation import predict, read_measurements

from .measured_csv import HEADER, URL, write

GPTJ = "mlperf-inf-v4.1-lenovo-lenovo-2xl40s-trt-gptj-99-singlestream-p90"


def test_the_mlperf_gptj_row_is_a_whole_query_without_published_lengths(bundled):
    """The bundled GPT-J SingleStream row goes to the serving study; its dataset (mlperf-gptj-cnndm) publishes no
    input or output mean (the reference only bounds them: 1,919 input, 128 output tokens), so it is not predicted
    and says why, instead of the one-pass 0.053 s against the measured 1.43 s."""
    row = bundled.filter(pl.col("name") == GPTJ).row(0, named=True)
    assert row["study"] == "serving" and row["predicted"] is None
    assert "input_tokens_mean" in row["reason"] and "not published" in row["reason"]


def test_a_stated_whole_query_is_at_least_every_decode_steps_weight_read(tmp_path, catalogs):
    """GPT-J 6B at FP8 on one L40S, 1,919 prompt and 128 generated tokens: each decode step after the first token
    reads every weight once, 6.0534e9 parameters x 1 B (the model card's count) over the L40S datasheet's 864 GB/s
    = 7.01 ms, so 127 steps take at least 0.890 s; one forward pass (the old reading) is far below that. The
    prefill adds 2 x 6.05e9 x 1919 = 23.2 TFLOP, at most 733 TFLOPS (datasheet FP8): >= 0.032 s."""
    line = (f"{URL},gptj-query,latency_s,1.4,,,s,GPT-J 6B,L40S,,1,fp8,fp8,TensorRT-LLM,single-stream,1,,1919,128,"
            ",,,,,x")
    measured = read_measurements(write(tmp_path, [line]), catalogs)
    out = predict(measured.rows, catalogs).row(0, named=True)
    assert measured.rows["study"].to_list() == ["serving"] and out["reason"] is None
    floor = 127 * 6.0534e9 / 864e9 + 2 * 6.0534e9 * 1919 / 733e12
    assert floor > 0.92 and out["predicted"] >= floor


def test_the_mlperf_gptj_samples_rows_are_whole_queries_without_published_lengths(bundled):
    """MLPerf GPT-J Offline / Server samples/s (v4.0: NVIDIA's H100, H200, L40S; Google's TPU v5e) count whole
    queries, so they go to the serving study, which has no CNN-DailyMail lengths to run them at (as the v4.1
    GPT-J tokens/s rows): not predicted, and saying why, instead of one forward pass per sample."""
    rows = bundled.filter((pl.col("model") == "GPT-J 6B") & (pl.col("metric") == "samples_per_s"))
    assert rows.height >= 8 and set(rows["study"]) == {"serving"} and rows["predicted"].is_null().all()
    assert rows["reason"].str.contains("input_tokens_mean").all()
    trained = bundled.filter((pl.col("model") == "Llama 2 70B") & (pl.col("metric") == "samples_per_s"))
    assert trained.height > 0 and "serving" not in set(trained["study"])  # training sequences, not queries


def test_a_stated_decoder_samples_row_is_its_tokens_over_output_len(tmp_path, catalogs):
    """The same stated GPT-J Offline run as samples/s and as tokens/s (8 L40S, 1,919 prompt and 128 generated
    tokens): a sample is one request, so samples/s = generated tokens/s / 128."""
    rows = [f"{URL},gptj-{m},{m},{v},,,{u},GPT-J 6B,L40S,,8,fp8,fp8,TensorRT-LLM,offline,,,1919,128,1,1,,,,x"
            for m, v, u in (("samples_per_s", 20, "1/s"), ("tokens_per_s", 2560, "tok/s"))]
    measured = read_measurements(write(tmp_path, rows), catalogs)
    out = predict(measured.rows, catalogs)
    assert measured.rows["study"].to_list() == ["serving", "serving"] and out["reason"].is_null().all()
    samples, tokens = out.sort("name")["predicted"].to_list()
    assert samples == pytest.approx(tokens / 128, rel=1e-12)


def test_a_stated_decoder_samples_row_under_a_request_rate_is_its_delivered_tokens_over_output_len(tmp_path, catalogs):
    """The same pair as a Server run at 10 queries/s: samples/s is the delivered tokens/s (what the rate lets through)
    over the 128 tokens of each query, not the batch's capacity."""
    rows = [f"{URL},gptj-{m},{m},{v},,,{u},GPT-J 6B,L40S,,8,fp8,fp8,TensorRT-LLM,server,,,1919,128,1,1,,,,x,10"
            for m, v, u in (("samples_per_s", 10, "1/s"), ("tokens_per_s", 1280, "tok/s"))]
    path = tmp_path / "measured.csv"
    path.write_text("\n".join([HEADER + ",request_rate", *rows]) + "\n")
    out = predict(read_measurements(path, catalogs).rows, catalogs)
    assert out["reason"].is_null().all()
    samples, tokens = out.sort("name")["predicted"].to_list()
    assert samples == pytest.approx(tokens / 128, rel=1e-12) and samples <= 10 * (1 + 1e-9)


def test_encoder_and_cnn_latency_stays_one_pass(table):
    """A ResNet-50 latency_s row (measured_csv ROWS' resnet-b1) stays the node study's one forward pass."""
    assert table.filter(pl.col("name") == "resnet-b1")["study"].to_list() == ["node"]


def test_a_peer_tools_answer_for_a_whole_query_is_its_end_to_end_latency():
    """A peer tool's prefill 0.05 s and per-token 7 ms over 128 generated tokens: 0.05 + 127 x 0.007 = 0.939 s,
    the same end-to-end reading as ours (not a throughput)."""
    from pipeline.validation.peers.adapters import Job
    from pipeline.validation.peers.answers import metric

    job = Job("gptj", "tool", row={"metric": "latency_s", "devices": 1}, study="serving",
              axes={"output_len": [128], "tp": [1], "pp": [1]})
    assert metric(job, {"ttft_s": 0.05, "itl_s": 0.007}, 1) == pytest.approx(0.939)
