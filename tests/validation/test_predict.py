"""Predictions: through the studies' own formulas, the batch rule, the system size, and the reason
a row is not predicted."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline.validation import NODE_BATCHES, measurement_spec, predict, read_measurements
from pipeline.validation.predict import dataset_length, run_context
from pipeline.validation.training_spec import LORA_RANK

from .measured_csv import SELENE, URL, write


def test_predictions_are_the_studies_own(table):
    by_name = {r["name"]: r for r in table.iter_rows(named=True)}
    node = pipeline.evaluate("ResNet-50", "A100 SXM4 80GB", batch=1).row(0, named=True)
    assert by_name["resnet-b1"]["predicted"] == pytest.approx(node["latency_s"], rel=1e-12)
    assert by_name["resnet-b1"]["measured"] == pytest.approx(0.38e-3)  # ms converted to s
    serving = pipeline.evaluate_serving("Llama 2 70B", "H100 SXM5 80GB", tp=8, prompt_len=2048, output_len=128,
                                        breakdown=False).row(0, named=True)
    assert by_name["llama-ttft"]["predicted"] == pytest.approx(serving["ttft_s"], rel=1e-12)
    training = pipeline.evaluate_training("GPT-3 175B", SELENE, dp=4, tp=8, pp=12, global_batch=1536,
                                          recompute="full", framework="Megatron-LM").row(0, named=True)
    assert by_name["gpt3-384"]["predicted"] == pytest.approx(training["hfu"], rel=1e-12)
    assert by_name["gpt3-384"]["measured"] == pytest.approx(0.49)  # % converted to a fraction


def test_largest_feasible_batch_and_the_system_size(table):
    """An unpublished batch: the best feasible one; 8 accelerators give 8x one accelerator's samples/s."""
    row = table.filter(pl.col("name") == "resnet-offline").row(0, named=True)
    frame = pipeline.sweep({"axes": {"model": ["ResNet-50"], "hardware": ["A100 SXM4 80GB"],
                                     "compute_dtype": ["int8"], "batch": NODE_BATCHES}})
    best = frame.filter(pl.col("is_feasible"))["samples_per_s"].max()
    assert row["predicted"] == pytest.approx(8 * best, rel=1e-12)
    assert row["batch_used"] == frame.filter(pl.col("samples_per_s") == best)["batch"][0]


def test_a_row_whose_configuration_is_dropped_says_why(tmp_path, catalogs):
    """GPT-2 XL has a learned table of 1,024 positions (its model card's n_positions): 1,024 prompt +
    128 answer tokens is no configuration at all, and the reason names the rule, not memory."""
    rows = [f"{URL},gpt2-long,tokens_per_s,616,,,tok/s,GPT-2 XL,H100 SXM5 80GB,,1,fp16,,default,offline,32,,"
            "1024,128,1,1,,,,T1",
            f"{URL},gpt2-short,tokens_per_s,616,,,tok/s,GPT-2 XL,H100 SXM5 80GB,,1,fp16,,default,offline,32,,"
            "512,128,1,1,,,,T2"]
    measured = read_measurements(write(tmp_path, rows), catalogs)
    out = {r["name"]: r for r in predict(measured.rows, catalogs).iter_rows(named=True)}
    assert out["gpt2-long"]["predicted"] is None
    assert out["gpt2-long"]["reason"] == "no configuration: prompt_len + output_len exceeds the model's " \
                                         "max_context_tokens"
    assert out["gpt2-long"]["family"] == "nvidia-hopper"
    assert out["gpt2-short"]["predicted"] is not None and out["gpt2-short"]["reason"] is None


def test_a_rotary_model_runs_at_the_context_the_row_states(tmp_path, catalogs):
    """GPT-J 6B (rotary positions, pre-trained at 2,048) served at 2,048 + 128 tokens, as TensorRT-LLM
    ran it: predicted at a context of 2,176, the same as the configuration evaluated with that
    context as a what-if; a row inside the context has no override."""
    rows = [f"{URL},gptj-long,tokens_per_s,616,,,tok/s,GPT-J 6B,H100 SXM5 80GB,,1,fp16,,default,offline,32,,"
            "2048,128,1,1,,,,T1",
            f"{URL},gptj-short,tokens_per_s,616,,,tok/s,GPT-J 6B,H100 SXM5 80GB,,1,fp16,,default,offline,32,,"
            "1024,128,1,1,,,,T2"]
    measured = read_measurements(write(tmp_path, rows), catalogs)
    out = {r["name"]: r for r in predict(measured.rows, catalogs).iter_rows(named=True)}
    what_if = pipeline.evaluate_serving("GPT-J 6B", "H100 SXM5 80GB", batch=32, prompt_len=2048, output_len=128,
                                        overrides={"models.max_context_tokens": "2176 tok"}, breakdown=False)
    assert out["gptj-long"]["reason"] is None
    assert out["gptj-long"]["predicted"] == pytest.approx(what_if["batch_tokens_per_s"][0], rel=1e-12)
    models = {"GPT-J 6B": (2048, "rope"), "GPT-2 XL": (1024, "learned")}
    spec = {"study": "serving", "axes": {}}
    row = {"model": "GPT-J 6B", "prompt_len": 2048, "output_len": 128, "seq_len": None}
    assert run_context(spec, row, models)["overrides"] == {"models.max_context_tokens": "2176 tok"}
    assert run_context(spec, row | {"prompt_len": 1024}, models) is spec
    assert run_context(spec, row | {"model": "GPT-2 XL"}, models) is spec


def test_a_training_rows_samples_per_s_is_the_train_step_on_its_share_of_the_batch():
    """MLPerf's ResNet-50 on 8 GPUs at a global batch of 3,200: each GPU trains on 400 images a step
    (forward, backward, update), never a forward pass; a batch the devices do not divide says so."""
    row = {"study": "node", "scenario": "training", "metric": "samples_per_s", "framework": "default",
           "model": "ResNet-50", "hardware": "H100 SXM5 80GB", "compute_dtype": "fp16", "batch": 3200,
           "seq_len": None, "devices": 8, "trained": None}
    spec, reason = measurement_spec(row)
    assert reason is None and spec["axes"]["workload"] == ["training"] and spec["axes"]["batch"] == [400]
    # the gradient all-reduce over its 8 devices (no cluster: within the scale-up domain); MXNet's SGD unsharded
    assert spec["data"] == {"devices": 8, "cluster": None, "optimizer_sharded": False}
    assert measurement_spec(row | {"model": "BERT-Large"})[0]["data"]["optimizer_sharded"]
    assert "data" not in measurement_spec(row | {"devices": 1, "batch": 400})[0]
    inference = measurement_spec(row | {"scenario": "offline"})[0]
    assert inference["axes"]["workload"] == ["inference"] and inference["axes"]["batch"] == [3200]
    assert measurement_spec(row | {"batch": 3201})[1] == "global batch 3201 is not a multiple of devices 8"


def test_a_lora_row_is_the_training_study_at_mlperfs_rank(bundled):
    """A trained = lora row (MLPerf's llama2_70b_lora, r = 16 fixed in its closed division) is a training-
    study configuration at lora_rank 16 (pipeline.walls.training_lora), its samples/s too (global batch /
    step time): no longer refused as "LoRA not modelled"; a row without a cluster keeps that reason."""
    row = {"study": "node", "scenario": "training", "metric": "samples_per_s", "framework": "Megatron-LM",
           "model": "Llama 2 70B", "hardware": "H100 SXM5 80GB", "cluster": "c", "compute_dtype": "fp8",
           "batch": 8, "seq_len": 8192, "devices": 64, "trained": "lora", "tp": 4, "pp": 1, "dp": None,
           "microbatch": None, "recompute": None, "cp": 2, "ep": None, "virtual_stages": None,
           "sequence_parallel": None, "zero_stage": None}
    spec, reason = measurement_spec(row)
    assert reason is None and LORA_RANK == 16
    assert spec["study"] == "training" and spec["axes"]["lora_rank"] == [16] and spec["axes"]["global_batch"] == [8]
    assert measurement_spec(row | {"study": "training", "metric": "step_time_s", "trained": None})[0]["axes"][
        "lora_rank"] == [0]
    assert measurement_spec(row | {"cluster": None}) == (None, "training rows need a cluster")
    lora = bundled.filter(pl.col("trained") == "lora")
    assert not lora["reason"].str.contains("LoRA").any() and lora["predicted"].is_not_null().sum() >= 10
    one = lora.filter(pl.col("name") == "mlperf-train-v4.1-nvidia-eos-n8-ngc24.09-nemo-llama2-70b-lora-throughput") \
        .row(0, named=True)
    assert one["recompute"] == "none"  # its config's yaml default (registry_data/research/r-rcomp)
    step = pipeline.sweep({"study": "training", "axes": {
        "model": ["Llama 2 70B"], "cluster": [one["cluster"]], "compute_dtype": ["fp8"], "gpus": [64], "tp": [4],
        "pp": [1], "cp": [2], "microbatch": [1], "global_batch": [8], "seq_len": [8192], "recompute": ["none"],
        "sequence_parallel": [True], "zero_stage": [1], "lora_rank": [16]}, "efficiency": {"framework": "Megatron-LM"},
        "overrides": {"models.max_context_tokens": "8192 tok"}})["step_time_s"][0]
    assert one["predicted"] == pytest.approx(8 / step, rel=1e-9)


def test_rows_without_a_configuration_keep_their_reason(tmp_path, catalogs):
    rows = [f"{URL},no-lengths,tokens_per_s,616,,,tok/s,GPT-J 6B,H100 SXM5 80GB,,1,fp16,,default,offline,32,,"
            ",,1,1,,,,T1",
            f'{URL},odd-devices,tokens_per_s,616,,,tok/s,GPT-J 6B,H100 SXM5 80GB,,3,fp16,,default,offline,32,,'
            "1024,128,2,1,,,,T2"]
    measured = read_measurements(write(tmp_path, rows), catalogs)
    out = dict(predict(measured.rows, catalogs).select("name", "reason").iter_rows())
    assert out == {"no-lengths": "serving rows need prompt_len and output_len, or a dataset the workloads catalog "
                                 "names; the row lacks prompt_len and output_len and names no dataset",
                   "odd-devices": "devices 3 is not a multiple of tp x pp = 2"}


def test_a_row_without_a_peak_for_its_precision_says_why(tmp_path, catalogs):
    """The A100's datasheet states no FP8 peak (FP8 tensor cores came with Hopper)."""
    rows = [f"{URL},a100-fp8,latency_s,1,,,ms,ResNet-50,A100 SXM4 80GB,,1,fp8,,default,single-stream,1,,,,,"
            ",,,,T1"]
    measured = read_measurements(write(tmp_path, rows), catalogs)
    row = predict(measured.rows, catalogs).row(0, named=True)
    assert row["predicted"] is None
    assert row["reason"] == "no configuration: hardware has no published dense peak for compute_dtype"


WIKIPEDIA = "Wikipedia 2020/01/01 (MLPerf BERT phase-2)"


def test_the_bert_phase2_mean_length_is_the_nvidia_readmes_counts(catalogs):
    """NVIDIA's MLPerf Training v3.1 BERT packed_data/README.md: 156,726,829 sequences of up to 512
    tokens used 4.04e10 padding tokens, so 512 - 4.04e10 / 156,726,829 = 512 - 257.77 = 254.2 valid
    tokens each (its "theoretical upper bound on speed-up" 2.012 gives 512 / 2.012 = 254.5)."""
    row = catalogs.workloads.filter(pl.col("name") == WIKIPEDIA).row(0, named=True)
    assert row["input_tokens_mean"] == pytest.approx(254.2, abs=0.05)
    assert row["input_tokens_mean"] == pytest.approx(512 / 2.012, abs=0.5)
    assert row["input_tokens_max"] == 512 and row["samples"] == 156_726_829


def test_squad_runs_its_unpadded_mean_length(catalogs):
    """SQuAD v1.1 dev as MLPerf builds it, counted from the data set (r-accf5 §1): 10,833 features, 178.49 valid
    tokens a feature (MLPerf's BERT rows run it rounded, 178, not 384), p90 272; the paper's 54 % padding at 384
    (openreview 3nzKUh9a4M: 384 x 0.46 = 176.6) is the check, 1 - 178.49 / 384 = 0.535."""
    row = catalogs.workloads.filter(pl.col("name") == "SQuAD v1.1").row(0, named=True)
    assert row["input_tokens_mean"] == pytest.approx(178.49, abs=0.005)
    assert round(1 - row["input_tokens_mean"] / 384, 2) == 0.54
    assert (row["input_tokens_p90"], row["input_tokens_max"], row["samples"]) == (272, 384, 10833)
    bert = catalogs.measurements.filter((pl.col("model") == "BERT-Large") & pl.col("scenario").is_in(
        ["offline", "server"]))
    assert bert.height >= 20 and bert["dataset"].unique().to_list() == ["SQuAD v1.1"]
    spec = {"axes": {"seq_len": [384], "batch": [1024]}, "efficiency": {"framework": "default"}}
    assert dataset_length(spec, {"dataset": "SQuAD v1.1"}, {"SQuAD v1.1": 176.6})["axes"]["seq_len"] == [177]


def test_a_p90_row_runs_the_datasets_p90_length():
    """A SingleStream p90 latency is the latency of the p90-length query (LoadGen draws queries uniformly, reports
    sorted[floor(0.9 n)]; r-accf5 §2): SQuAD's 10,833 features have p90 272 tokens (r-accf5 §1). Other statistics,
    and a dataset without a catalogued p90, run the mean."""
    spec = {"axes": {"seq_len": [384], "batch": [1]}, "efficiency": {"framework": "default"}}
    means, p90s = {"SQuAD v1.1": 178.49}, {"SQuAD v1.1": 272.0}
    at = {stat: dataset_length(spec, {"dataset": "SQuAD v1.1", "statistic": stat}, means, p90s)["axes"]["seq_len"]
          for stat in ("p90", "p99", None)}
    assert at == {"p90": [272], "p99": [178], None: [178]}
    assert dataset_length(spec, {"dataset": "SQuAD v1.1", "statistic": "p90"}, means, {})["axes"]["seq_len"] == [178]


def test_a_node_row_naming_a_dataset_runs_its_mean_tokens_per_sample(tmp_path, catalogs):
    """MLPerf BERT training on 8 H100 at 768 samples a step, seq_len 512 (the bound): predicted as the
    train step on 96 samples of the dataset's 254 tokens (rounded 254.2) on 8 devices (the gradient all-reduce,
    the LAMB state sharded), the same as that configuration swept directly; without a catalogued dataset the row
    keeps its 512."""
    bert = f"{URL},NAME,samples_per_s,7760,,,1/s,BERT-Large,H100 SXM5 80GB,,8,bf16,,default,training,768,512,,,,,,,,T1"
    path = write(tmp_path, [bert.replace("NAME", "bert-wiki"), bert.replace("NAME", "bert-free-text")])
    lines = path.read_text().splitlines()
    lines = [lines[0] + ",dataset", lines[1] + f',"{WIKIPEDIA}"', lines[2] + ",some unlisted text"]
    path.write_text("\n".join(lines) + "\n")
    measured = read_measurements(path, catalogs)
    out = {r["name"]: r for r in predict(measured.rows, catalogs).iter_rows(named=True)}
    at = {s: pipeline.sweep({"axes": {"model": ["BERT-Large"], "hardware": ["H100 SXM5 80GB"], "batch": [96],
                                      "compute_dtype": ["bf16"], "seq_len": [s], "workload": ["training"]},
                             "data": {"devices": 8, "optimizer_sharded": True}}).row(0, named=True) for s in (254, 512)}
    assert out["bert-wiki"]["predicted"] == pytest.approx(8 * at[254]["samples_per_s"], rel=1e-12)
    assert out["bert-free-text"]["predicted"] == pytest.approx(8 * at[512]["samples_per_s"], rel=1e-12)
    means = {WIKIPEDIA: 254.2}
    spec = {"axes": {"seq_len": [512], "batch": [96]}, "efficiency": {"framework": "default"}}
    assert dataset_length(spec, {"dataset": WIKIPEDIA}, means)["axes"] == {"seq_len": [254], "batch": [96]}
    assert dataset_length(spec, {"dataset": None}, means) is spec
    serving = spec | {"study": "serving"}
    assert dataset_length(serving, {"dataset": WIKIPEDIA}, means) is serving


def test_the_compute_model_of_every_row_can_be_chosen(tmp_path, catalogs, table, profile_table):
    """``mlsys validate --compute-model kernel``: the training row is the training study run with
    efficiency.compute_model "kernel" (a sweep of that spec), the training default (the ``table``
    fixture), which differs from ``--compute-model profile`` (the ``profile_table`` fixture)."""
    from .measured_csv import ROWS

    measured = read_measurements(write(tmp_path, ROWS[3:]), catalogs)
    kernel = predict(measured.rows, catalogs, etas=[], compute_model="kernel").row(0, named=True)
    default = table.filter(pl.col("name") == "gpt3-384").row(0, named=True)
    profile = profile_table.filter(pl.col("name") == "gpt3-384").row(0, named=True)
    base = {"cluster": [SELENE], "compute_dtype": ["bf16"], "seq_len": [2048], "microbatch": [1], "zero_stage": [1],
            "cp": [1], "ep": [1], "virtual_stages": [1], "recompute": ["full"], "sequence_parallel": [True],
            "model": ["GPT-3 175B"], "dp": [4], "tp": [8], "pp": [12], "global_batch": [1536]}
    sweep = pipeline.sweep({"study": "training", "axes": base,
                            "efficiency": {"framework": "Megatron-LM", "compute_model": "kernel"}})
    assert kernel["predicted"] == pytest.approx(sweep["hfu"][0], rel=1e-12)
    assert kernel["predicted"] == pytest.approx(default["predicted"], rel=1e-12)
    assert kernel["predicted"] != pytest.approx(profile["predicted"], rel=1e-3)


def test_a_tokens_per_s_row_at_a_request_rate_is_what_the_run_delivered(tmp_path, catalogs):
    """Output tokens/s at an offered rate: 8 requests/s x 256 output tokens = 2048 tok/s in steady
    state (flow conservation; below capacity); a run of 500 requests lasts 499 / 8 s of arrivals plus
    the last request's TTFT + 255 x TPOT (the same configuration's predicted TTFT and ITL rows), and
    delivers 500 x 256 tokens over that."""
    from .measured_csv import HEADER

    cfg = "Llama 3.1 8B,H100 SXM5 80GB,,1,bf16,,TensorRT-LLM,server,,,467,256,1,1,,,,T"
    rows = [f"{URL},{name},{metric},{value},,,{unit},{cfg},8,{requests}" for name, metric, value, unit, requests in (
        ("ttft", "ttft_s", 50, "ms", 500), ("itl", "itl_s", 10, "ms", 500), ("tok", "tokens_per_s", 2000, "tok/s", 500),
        ("tok-steady", "tokens_per_s", 2000, "tok/s", ""))]
    path = tmp_path / "measured.csv"
    path.write_text("\n".join([HEADER + ",request_rate,requests", *rows]) + "\n")
    measured = read_measurements(path, catalogs)
    assert measured.problems == []
    out = {r["name"]: r["predicted"] for r in predict(measured.rows, catalogs, etas=[]).iter_rows(named=True)}
    assert out["tok-steady"] == pytest.approx(8 * 256)
    assert out["tok"] == pytest.approx(500 * 256 / (499 / 8 + out["ttft"] + 255 * out["itl"]))


def test_an_expert_parallel_serving_row_runs_its_ep_replicas(tmp_path, catalogs):
    """DeepSeek-V3 at ep 32, tp 1 on 64 H100s: a replica is tp x ep / tp = 32 devices (32 attention
    groups), so 64 devices run 2 replicas: the system's tokens/s is 2x one replica's, per device 1/32 of
    it (the serving study's own configuration, evaluated alone); a named cluster reaches the study; an
    unpublished batch searches the grid per attention group (32 x each batch); 48 devices hold no whole
    replica."""
    from .measured_csv import HEADER

    named = '"NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"'
    cfg = "DeepSeek-V3,H100 SXM5 80GB,{c},{d},fp8,,default,offline,{b},,2000,100,1,1,,,,T,32"
    rows = [f"{URL},{n},{m},2000,,,tok/s,{cfg.format(c=c, d=d, b=b)}" for n, m, c, d, b in (
        ("per-device", "tokens_per_s_per_device", "", 64, 1024), ("system", "tokens_per_s", "", 64, 1024),
        ("named", "tokens_per_s", named, 64, 1024), ("grid", "tokens_per_s_per_device", "", 32, ""),
        ("uneven", "tokens_per_s", "", 48, 1024))]
    path = tmp_path / "measured.csv"
    path.write_text("\n".join([HEADER + ",ep", *rows]) + "\n")
    measured = read_measurements(path, catalogs)
    out = {r["name"]: r for r in predict(measured.rows, catalogs, etas=[]).iter_rows(named=True)}
    one = pipeline.evaluate_serving("DeepSeek-V3", "H100 SXM5 80GB", batch=1024, ep=32, prompt_len=2000,
                                    output_len=100, compute_dtype="fp8", breakdown=False).row(0, named=True)
    assert out["system"]["predicted"] == pytest.approx(2 * one["batch_tokens_per_s"], rel=1e-12)
    assert out["per-device"]["predicted"] == pytest.approx(one["batch_tokens_per_s"] / 32, rel=1e-12)
    there = pipeline.evaluate_serving("DeepSeek-V3", "H100 SXM5 80GB", batch=1024, ep=32, prompt_len=2000,
                                      output_len=100, compute_dtype="fp8", cluster=named.strip('"'),
                                      breakdown=False).row(0, named=True)
    assert out["named"]["predicted"] == pytest.approx(2 * there["batch_tokens_per_s"], rel=1e-12)
    assert out["grid"]["batch_used"] in [32 * b for b in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)]
    assert out["uneven"]["reason"] == "devices 48 is not a multiple of tp x pp x ep/tp = 32"


def test_a_latency_row_under_load_is_predicted_as_the_statistic_it_states(tmp_path, catalogs):
    """The same server run's TTFT and TPOT as mean, P50 and P99 (the statistic column): the time to first token
    under Poisson arrivals is a right-skewed distribution (no wait for a share of requests, an exponential-like tail
    for the rest: M/G/1, Kleinrock 1975 vol. 1 §5.7), so median < mean < P99, and so is one request's mean TPOT.
    A P90 has no wall-7 column: not predicted rather than predicted as another statistic. A statistic outside
    mean/p50/p90/p99 is refused, naming the column."""
    from .measured_csv import HEADER

    cfg = "Llama 3.1 8B,H100 SXM5 80GB,,1,bf16,,TensorRT-LLM,server,,,467,256,1,1,,,,T"
    rows = [f"{URL},{metric}-{stat},{metric},{value},,,ms,{cfg},8,{stat}" for metric, value in (("ttft_s", 50),
            ("itl_s", 10)) for stat in ("mean", "p50", "p99", "p90")]
    path = tmp_path / "measured.csv"
    path.write_text("\n".join([HEADER + ",request_rate,statistic", *rows, rows[0].replace(",mean", ",p95")
                               .replace("ttft_s-mean", "bad")]) + "\n")
    measured = read_measurements(path, catalogs)
    assert [(p.column, p.label) for p in measured.problems] == [("statistic", "line 10")]
    out = {r["name"]: r["predicted"] for r in predict(measured.rows, catalogs, etas=[]).iter_rows(named=True)}
    for metric in ("ttft_s", "itl_s"):
        assert out[f"{metric}-p50"] < out[f"{metric}-mean"] < out[f"{metric}-p99"]
        assert out[f"{metric}-p90"] is None


def test_a_server_admits_the_sequences_its_kv_cache_holds(tmp_path, catalogs):
    """Llama 2 70B at FP16 on one B200 (180 GB): ~138 GB of weights, and 512 sequences of 1,300 tokens at
    80 layers x 8 KV heads x 128 x 2 (K, V) x 2 B = 327,680 B per token need 218 GB of KV, so the load grid's 512
    does not fit; a server admits what its paged KV cache holds (tens of sequences), so the row is predicted at
    that cap: at 0.5 requests/s it delivers 0.5 x 300 = 150 tok/s (flow conservation). Llama 3.1 405B at BF16
    (~810 GB of weights) on one 80 GB H100 admits nothing and stays a memory misfit."""
    from .measured_csv import HEADER

    rows = [f"{URL},{name},{metric},{value},,,{unit},{model},{hw},,1,bf16,,TensorRT-LLM,server,,,1000,300,1,1,,,,T,0.5"
            for name, metric, value, unit, model, hw in (
                ("tok", "tokens_per_s", 150, "tok/s", "Llama 2 70B", "B200 (HGX B200)"),
                ("ttft", "ttft_s", 100, "ms", "Llama 2 70B", "B200 (HGX B200)"),
                ("oom", "ttft_s", 100, "ms", "Llama 3.1 405B", "H100 SXM5 80GB"))]
    path = tmp_path / "measured.csv"
    path.write_text("\n".join([HEADER + ",request_rate", *rows]) + "\n")
    measured = read_measurements(path, catalogs)
    assert measured.problems == []
    out = {r["name"]: r for r in predict(measured.rows, catalogs, etas=[]).iter_rows(named=True)}
    assert 512 * 1300 * 327_680 == pytest.approx(218e9, rel=0.01)
    assert out["tok"]["predicted"] == pytest.approx(150)
    assert out["ttft"]["predicted"] is not None and out["ttft"]["reason"] is None
    assert out["oom"]["predicted"] is None and "does not fit" in out["oom"]["reason"]


def test_evaluating_only_the_configurations_that_run_changes_no_prediction(monkeypatch, catalogs):
    """A large serving group first finds the (configuration, η) rows that fit and evaluates the rest on them alone
    (``predict.STAGE_ABOVE``): forced on for every such group, the predictions, bands, bounds, batches, η grids
    and reasons equal the one-collect path's, for offline bursts whose large batches do not fit (TensorRT-LLM's
    4,096), a qps=inf burst and a row that does not fit at all (rows under a request rate beside them)."""
    import importlib

    module = importlib.import_module("pipeline.validation.predict")  # the package exports its function by that name
    names = ["trtllm-1.0-perf-overview-h100-fp8-llama-3.1-70b-tp2-in128-out128-throughput",
             "trtllm-0.14-serving-h100-bf16-llama-3.1-70b-tp4-in467-out256-qpsinf-ttft",
             "mlperf-inf-v5.1-nvidia-b200-sxm-180gbx8-trt-llama2-70b-99-interactive-ttft-p50",
             "mlperf-inf-v5.1-nvidia-b200-sxm-180gbx8-trt-llama2-70b-99-server"]
    rows = read_measurements(None, catalogs).rows
    names.append(rows.filter(pl.col("metric").str.starts_with("oom_"))["name"][0])  # published out of memory
    rows = rows.filter(pl.col("name").is_in(names))
    assert rows.height == len(names)
    once = predict(rows, catalogs)
    monkeypatch.setattr(module, "STAGE_ABOVE", 0)
    staged = predict(rows, catalogs)
    assert staged.equals(once)
    assert once["predicted"].null_count() < once.height  # not all refused: the picking was compared


def test_groups_predicted_side_by_side_give_what_one_at_a_time_gives(monkeypatch, catalogs, sampled):
    """``predict.GROUP_THREADS`` groups at once (threads: polars releases the GIL while it plans and collects)
    give the same rows, values, bands, grids and reasons as one group at a time, on 60 rows of the bundled
    catalog drawn with a fixed seed: several studies, frameworks and groups, some rows refused with a reason."""
    _, together, alone = _predicted_before_and_after(monkeypatch, catalogs, sampled, "GROUP_THREADS", 1)
    # floats to 1e-12: the in-memory engine (``IN_MEMORY_ROWS``) splits a reduction by the threads free at the time,
    # so two groups sharing the pool may add in another order than one group alone (1.9e-16 measured)
    _equal_to_1e12(together, alone)
    assert together["family"].n_unique() > 2 and together["predicted"].null_count() < together.height


@pytest.fixture(scope="module")
def sampled(catalogs) -> tuple[pl.DataFrame, pl.DataFrame]:
    """60 rows of the bundled catalog drawn with a fixed seed, and their predictions at ``predict``'s module constants
    as they ship (computed once for the tests that compare them with another setting; polars frames are immutable)."""
    rows = read_measurements(None, catalogs).rows.sample(60, seed=7)
    return rows, predict(rows, catalogs)


def _predicted_before_and_after(monkeypatch, catalogs, sampled, setting: str, value) -> tuple[pl.DataFrame, ...]:
    """The ``sampled`` rows and their predictions before and after ``predict``'s module constant ``setting`` is set to
    ``value``."""
    import importlib

    module = importlib.import_module("pipeline.validation.predict")  # the package exports its function by that name
    rows, before = sampled
    monkeypatch.setattr(module, setting, value)
    return rows, before, predict(rows, catalogs)


def _equal_to_1e12(got: pl.DataFrame, want: pl.DataFrame) -> None:
    """Equal frames, their floats (and lists of floats) to a relative 1e-12."""
    floats = [c for c, t in got.schema.items() if t in (pl.Float64, pl.List(pl.Float64))]
    assert got.drop(floats).equals(want.drop(floats))
    for c in floats:
        a, b = (f[c].explode() if f[c].dtype != pl.Float64 else f[c] for f in (got, want))
        assert a.is_null().equals(b.is_null()), c
        assert a.drop_nulls().to_list() == pytest.approx(b.drop_nulls().to_list(), rel=1e-12, nan_ok=True), c


def test_small_collects_in_memory_give_what_the_streaming_engine_gives(monkeypatch, catalogs, sampled):
    """A group's collect of at most ``predict.IN_MEMORY_ROWS`` rows runs on polars' in-memory engine: forced onto the
    streaming engine (0), 60 rows of the bundled catalog drawn with a fixed seed (node, serving under a request rate
    and a closed loop, training) keep their reasons, bounds, batches and families, and every prediction, band and η
    grid value to 1e-12 (the engines may add in another order: 4e-16 measured)."""
    rows, in_memory, streamed = _predicted_before_and_after(monkeypatch, catalogs, sampled, "IN_MEMORY_ROWS", 0)
    _equal_to_1e12(in_memory, streamed)
    assert in_memory["predicted"].null_count() < in_memory.height
    assert rows.filter(pl.col("request_rate").is_not_null()).height > 10  # wall 7's plans among them
