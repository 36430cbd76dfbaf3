"""trtllm-bench on a checkpoint it does not tune (an MXFP4 one: GPT-OSS; pipeline.validation.trtllm_bench): the
defaults' 2048 sequences a rank, the KV capacity below that (the PyTorch scheduler has no batch-size tuner), the
batches the row may have run; by hand from TensorRT-LLM's sources (registry_data/research/r-gptsat/README.md)."""

from __future__ import annotations

import polars as pl

from pipeline.validation.picking import picked
from pipeline.validation.predict import SPEC_INPUTS, measurement_spec
from pipeline.validation.serving_rows import SERVING_BATCHES, Datasets, offline_batches
from pipeline.validation.trtllm_bench import runs_untuned, untuned_batches

ROW = dict.fromkeys(SPEC_INPUTS) | {
    "study": "serving", "scenario": "offline", "metric": "tokens_per_s_per_device", "framework": "TensorRT-LLM",
    "model": "GPT-OSS 20B", "hardware": "H200 SXM 141GB", "compute_dtype": "bf16", "weight_dtype": "fp4",
    "devices": 1, "tp": 1, "pp": 1, "ep": 1, "prompt_len": 1024, "output_len": 8192, "requests": 1500}
MODELS = pl.DataFrame({"name": ["GPT-OSS 20B", "Llama 3.1 8B"], "n_experts": [32, None],
                       "quantized_layers": ["experts", None]})
WORKLOADS = pl.DataFrame({"name": ["w"], "aliases": [None], "input_tokens_mean": [1.0], "output_tokens_mean": [1.0]},
                         schema_overrides={"aliases": pl.String})


def test_the_grid_by_hand():
    """Steps of 1 to 64, 4 to 256, 16 to 1024, 32 to 2048: 64 + 48 + 48 + 32 = 192 batches, the last
    BuildConfig.max_batch_size = 2048; a capacity just below a step (67) runs 64, 4.5 % short of it."""
    grid = untuned_batches()
    assert len(grid) == 192
    assert (grid[0], grid[63], grid[64], grid[111], grid[112], grid[159], grid[160], grid[-1]) == (
        1, 64, 68, 256, 272, 1024, 1056, 2048)
    assert max(b for b in grid if b <= 67) == 64


def test_a_gpt_oss_row_runs_up_to_2048_a_rank():
    datasets = Datasets.of(WORKLOADS, MODELS)
    assert datasets.untuned == frozenset({"GPT-OSS 20B"})
    extra = offline_batches(ROW, datasets)
    assert max(extra) == 2048 and not set(extra) & set(SERVING_BATCHES)
    spec, reason = measurement_spec(ROW, datasets)
    assert reason is None and max(spec["axes"]["batch"]) == 2048 and len(spec["axes"]["batch"]) == 192
    # attention DP 4 (ep 4 on 4 GPUs, tp 1): 2048 on each rank, 8192 a replica
    spec, _ = measurement_spec(ROW | {"model": "GPT-OSS 20B", "devices": 4, "ep": 4}, datasets)
    assert max(spec["axes"]["batch"]) == 4 * 2048
    # a tuned checkpoint keeps the tuner's batches up to 4096
    assert max(offline_batches(ROW | {"model": "Llama 3.1 8B"}, datasets)) == 4096
    # an MLPerf harness's Offline run (no request count) sets its own batch: not trtllm-bench's defaults
    assert max(offline_batches(ROW | {"requests": None}, datasets)) == 4096


def test_only_trtllm_bench_runs_of_untuned_checkpoints_run_untuned():
    """The last row is an MLPerf harness's Offline run: no request count, so not a trtllm-bench run."""
    rows = pl.DataFrame({"framework": ["TensorRT-LLM", "TensorRT-LLM", "vLLM", "TensorRT-LLM", "TensorRT-LLM",
                                       "TensorRT-LLM"],
                         "scenario": ["offline", "offline", "offline", "server", "offline", "offline"],
                         "batch": [None, None, None, None, 64, None], "request_rate": [None] * 6,
                         "concurrency": [None] * 6, "requests": [1500, 1500, 1500, 1500, 1500, None],
                         "model": ["GPT-OSS 20B", "Llama 3.1 8B", "GPT-OSS 20B", "GPT-OSS 20B", "GPT-OSS 20B",
                                   "GPT-OSS 20B"]},
                        schema_overrides={"batch": pl.Int64, "request_rate": pl.Float64, "concurrency": pl.Int64,
                                          "requests": pl.Int64})
    flags = rows.select(runs_untuned(*(pl.col(c) for c in rows.columns), ["GPT-OSS 20B"])).to_series().to_list()
    assert flags == [True, False, False, False, False, False]


def test_an_untuned_run_takes_its_capacity_not_the_tuners_batch():
    """KV capacity 800 sequences: the C++ tuner would run 768 (its table's row 832); the PyTorch scheduler runs what
    the KV cache admits, the largest batch at most 800 (800), whatever the throughput (512 is the best)."""
    batches = [512.0, 768.0, 784.0, 800.0, 816.0]
    n = len(batches)
    frame = pl.DataFrame({"measurement": [0] * n, "eta_compute": [0.5] * n, "metric": ["tokens_per_s"] * n,
                          "devices": [1] * n, "tp": [1] * n, "pp": [1] * n, "ep": [1] * n, "row_tp": [1] * n,
                          "batch": batches, "is_feasible": [True, True, True, True, False],
                          "batch_tokens_per_s": [1000.0, 990.0, 980.0, 970.0, 990.0], "bound": ["memory"] * n,
                          "max_batch_paged": [800.0] * n, "tuned": [True] * n, "untuned": [True] * n})
    profile = pl.DataFrame({"measurement": [0], "family": ["x"], "eta": [0.5], "eta_low": [0.5], "eta_high": [0.5]})
    got = picked("serving", frame, profile, [], ({"tokens_per_s"}, {"mean"}))
    assert (got["batch_used"].item(), got["predicted"].item()) == (800.0, 970.0)
    tuner = picked("serving", frame.with_columns(untuned=pl.lit(False)), profile, [], ({"tokens_per_s"}, {"mean"}))
    assert tuner["batch_used"].item() == 768.0
    # without its request count (not a burst: tuned false) it still runs its capacity
    bare = picked("serving", frame.with_columns(tuned=pl.lit(False)), profile, [], ({"tokens_per_s"}, {"mean"}))
    assert bare["batch_used"].item() == 800.0
