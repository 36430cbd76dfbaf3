"""``mlsys evaluate``: JSON (the API's row and the schema's units), the headline and the
readable detail, the 22-wall scorecard, and bad input."""

from __future__ import annotations

import json
import math

import pytest

import pipeline

H100 = "H100 SXM5 80GB"
H100_POD = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"


def flat(text: str) -> str:
    return " ".join(text.split())


def strict_json(text: str):
    """json.loads that refuses NaN/Infinity (not JSON)."""
    def refuse(token):
        raise ValueError(f"non-JSON constant {token}")
    return json.loads(text, parse_constant=refuse)


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b or str(a) == str(b)


# -- JSON ---------------------------------------------------------------------------------------

def test_json_is_one_object_with_units(mlsys, tmp_path):
    res = mlsys("evaluate", "--model", "ResNet-50", "--hardware", "A100 SXM4 80GB", "--batch", "64", "--json")
    assert res.exit_code == 0, res.stderr
    row = strict_json(res.stdout)
    assert isinstance(row, dict)
    units = row.pop("units")
    assert set(units) == set(row)
    assert units["latency_s"] == "s"
    assert units["memory_bandwidth_bytes_per_s"] == "B/s"
    assert row["model"] == "ResNet-50" and row["hardware"] == "A100 SXM4 80GB" and row["batch"] == 64
    assert row["step"] == "forward"
    assert row["memory_bandwidth_bytes_per_s"] == 2.039e12  # A100 SXM4 80GB datasheet: 2,039 GB/s
    assert isinstance(row["latency_s"], float) and row["latency_s"] > 0
    assert list(tmp_path.iterdir()) == []


def test_json_keys_and_values_are_the_api_row(mlsys):
    """--json means what it meant before the CLI was split: the API's row, every column, full precision."""
    res = mlsys("evaluate", "--model", "Llama 2 7B", "--hardware", H100, "--step", "decode", "--json")
    row = strict_json(res.stdout)
    api = pipeline.evaluate(model="Llama 2 7B", hardware=H100, step="decode").row(0, named=True)
    assert list(row) == [*api, "units"]
    assert all(same(row[c], api[c]) for c in api), [c for c in api if not same(row[c], api[c])]
    assert row["peak_flop_per_s"] == 989.4e12  # H100 SXM5 datasheet: 989.4 TFLOP/s dense FP16
    assert row["memory_capacity_bytes"] == 80 * 2**30  # the datasheet's "80 GB" of HBM3 is 80 GiB (issue 12)


def test_decoder_without_step_gives_prefill_and_decode(mlsys):
    res = mlsys("evaluate", "--model", "Llama 2 7B", "--hardware", H100, "--json")
    assert res.exit_code == 0, res.stderr
    rows = strict_json(res.stdout)
    assert [r["step"] for r in rows] == ["prefill", "decode"]
    assert all(r["units"]["latency_s"] == "s" for r in rows)
    assert rows[1]["latency_s"] < rows[0]["latency_s"]  # one decode step is far cheaper than 2048 prompt tokens


def test_serving_and_training_json_are_the_api_rows(mlsys):
    res = mlsys("evaluate", "--model", "Llama 2 70B", "--hardware", H100, "--tp", "8", "--batch", "16", "--json")
    row = strict_json(res.stdout)
    api = pipeline.evaluate_serving("Llama 2 70B", H100, tp=8, batch=16).row(0, named=True)
    assert list(row) == [*api, "units"] and all(same(row[c], api[c]) for c in api)
    assert row["units"]["itl_s"] == "s" and row["units"]["decode_mlp_flop"] == "FLOP"
    res = mlsys("evaluate", "--model", "Llama 3.1 70B", "--cluster", H100_POD, "--gpus", "512", "--tp", "8",
                "--pp", "4", "--json")
    row = strict_json(res.stdout)
    api = pipeline.evaluate_training("Llama 3.1 70B", H100_POD, gpus=512, tp=8, pp=4).row(0, named=True)
    assert list(row) == [*api, "units"] and all(same(row[c], api[c]) for c in api)
    assert row["dp"] == 16  # 512 / (8 x 4)
    assert row["global_batch"] == 16 * 1 * 8 * 4  # dp x microbatch x 8 x pp


# -- for people ------------------------------------------------------------------------------------

def test_node_headline_then_detail_with_prefixed_units(mlsys):
    res = mlsys("evaluate", "--model", "Llama 2 7B", "--hardware", H100)
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith("prefill: feasible · latency ") and "-bound" in lines[0]
    assert lines[1].startswith("decode: feasible · latency ") and "memory-bound" in lines[1]
    assert "binding input memory_bandwidth_bytes_per_s" in lines[1]
    row = {ln.split("│")[1].strip(): ln for ln in lines if ln.startswith("│")}
    assert "3.35 TB/s" in row["memory_bandwidth_bytes_per_s"]  # H100 SXM5: 3.35 TB/s
    assert "989 TFLOP/s" in row["peak_flop_per_s"]
    assert "85.9 GB" in row["memory_capacity_bytes"]  # 80 GiB (issue 12)
    assert "700 W" in row["tdp_w"]
    assert "2048 tok" in row["seq_len"]
    assert "e+" not in res.stdout and "-0 " not in res.stdout


def test_infeasible_headline_says_why(mlsys):
    res = mlsys("evaluate", "--model", "Llama 2 70B", "--hardware", "A100 SXM4 80GB", "--step", "decode")
    assert res.exit_code == 0, res.stderr
    first = res.stdout.splitlines()[0]
    assert first.startswith("decode: not feasible: ") and "memory" in first.lower()


def test_serving_headline_and_operator_table(mlsys):
    res = mlsys("evaluate", "--model", "Llama 2 70B", "--hardware", H100, "--tp", "8", "--batch", "16")
    assert res.exit_code == 0, res.stderr
    first = res.stdout.splitlines()[0]
    for part in ("feasible", "TTFT ", "ITL ", "throughput ", "decode memory", "prefill compute-bound"):
        assert part in first, part
    assert "per-operator roofline" in res.stdout
    mlp = next(ln for ln in res.stdout.splitlines() if ln.startswith("│ mlp "))
    assert "TFLOP" in mlp and "GB" in mlp


def test_long_names_are_not_cut(mlsys):
    res = mlsys("evaluate", "--model", "Llama 3.1 70B", "--cluster", H100_POD, "--gpus", "512", "--tp", "8",
                "--pp", "4")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines()[0].startswith("feasible · step time ")
    assert f"Llama 3.1 70B on {H100_POD}: 512 GPUs = DP 16 x TP 8 x PP 4 x CP 1" in res.stdout


# -- the scorecard ---------------------------------------------------------------------------------

def test_all_walls_json_markdown_and_table(mlsys):
    base = ["evaluate", "--model", "Llama 3 8B", "--hardware", H100, "--all-walls"]
    res = mlsys(*base, "--json")
    assert res.exit_code == 0, res.stderr
    card = strict_json(res.stdout)
    assert [w["wall"] for w in card] == list(range(1, 23))
    assert card == json.loads(json.dumps(pipeline.scorecard("node", model="Llama 3 8B", hardware=H100,
                                                            batch=1, seq_len=2048, workload="inference",
                                                            compute_dtype="fp16"), default=str))
    res = mlsys(*base, "--wall", "sensitivity", "--wall", "14", "--markdown")
    assert res.exit_code == 0
    assert res.stdout.startswith("decode: feasible · ")
    assert "| 14 | communication |" in res.stdout and "| 21 | sensitivity |" in res.stdout
    assert "| 1 | compute |" not in res.stdout
    res = mlsys(*base)
    assert res.stdout.startswith("decode: feasible · ")
    lines = res.stdout.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.startswith("│ 1 "))
    assert "step_flop = 16.1 GFLOP" in lines[first]  # one decode token: about 2 FLOP x 8.03e9 parameters
    assert "peak_flop_per_s = 989 TFLOP/s" in lines[first + 1]


def test_training_scorecard_takes_the_default_global_batch(mlsys):
    res = mlsys("evaluate", "--model", "Llama 3.1 70B", "--cluster", H100_POD, "--gpus", "512", "--tp", "8",
                "--pp", "4", "--all-walls", "--wall", "1", "--json")
    assert res.exit_code == 0, res.stderr
    card = strict_json(res.stdout)
    row = pipeline.evaluate_training("Llama 3.1 70B", H100_POD, gpus=512, tp=8, pp=4).row(0, named=True)
    figures = {f["column"]: f["value"] for f in card[0]["figures"]}
    assert figures["model_flop_per_step"] == row["model_flop_per_step"]  # same layout, same global batch


@pytest.mark.parametrize(("bad", "message"), [
    (["--wall", "walls"], "--wall: unknown name 'walls'"),
    (["--target-fraction", "0"], "target_fraction: got 0.0, expected a number > 0"),
    (["--target-fraction", "-2"], "target_fraction: got -2.0, expected a number > 0"),
])
def test_all_walls_bad_input(mlsys, bad, message):
    res = mlsys("evaluate", "--model", "Llama 3 8B", "--hardware", H100, "--all-walls", *bad)
    assert res.exit_code == 2 and message in flat(res.stderr), res.stderr


def test_missing_hardware_and_bad_study(mlsys):
    res = mlsys("evaluate", "--model", "ResNet-50")
    assert res.exit_code == 2 and "--hardware: required by the node study" in flat(res.stderr)
    res = mlsys("evaluate", "--model", "ResNet-50", "--hardware", H100, "--study", "nodes")
    assert res.exit_code == 2 and "got 'nodes', expected node, serving, training, kernel" in flat(res.stderr)


@pytest.mark.parametrize("option", ["--tp", "--pp", "--replicas"])
def test_zero_is_a_value_not_the_default(mlsys, option):
    res = mlsys("evaluate", "--model", "Llama 2 7B", "--hardware", H100, option, "0")
    assert res.exit_code == 2 and option.lstrip("-") in res.stderr, res.stdout[-300:]
    if option != "--replicas":  # a serving option
        res = mlsys("evaluate", "--model", "Llama 3.1 70B", "--cluster", H100_POD, "--gpus", "512", option, "0",
                    "--all-walls")
        assert res.exit_code == 2 and f"axes.{option.lstrip('-')}[0]: got 0" in res.stderr, res.stdout[-300:]


def test_training_scorecard_without_tp_is_one_gpu_wide_tensor_parallel(mlsys):
    """No --tp: tp = 1 and, as in evaluate_training, no sequence parallelism (it needs tp > 1)."""
    res = mlsys("evaluate", "--model", "Llama 3 8B", "--cluster", H100_POD, "--gpus", "64", "--all-walls",
                "--wall", "3", "--json")
    assert res.exit_code == 0, res.stderr
    row = pipeline.evaluate_training("Llama 3 8B", H100_POD, gpus=64).row(0, named=True)
    figures = {f["column"]: f["value"] for f in strict_json(res.stdout)[0]["figures"]}
    assert figures["mfu"] == row["mfu"]


# -- serving options (moved from the serving study's tests) --

SERVING = ("evaluate", "--model", "Llama 2 7B", "--hardware", H100)


def test_cli_evaluate_negative_tp_exits_2(mlsys, tmp_path):
    res = mlsys(*SERVING, "--tp", "-2")
    assert res.exit_code == 2, res.stdout[-500:]
    assert "axes.tp[0]" in res.stderr


@pytest.mark.parametrize("option", ["--tp", "--pp", "--prompt-len", "--output-len"])
def test_cli_evaluate_zero_serving_option_exits_2(mlsys, tmp_path, option):
    res = mlsys(*SERVING, option, "0")
    assert res.exit_code == 2, res.stdout[-500:]
    assert option.lstrip("-").replace("-", "_") in res.stderr


# -- workloads ------------------------------------------------------------------------------------

def test_dataset_sets_the_lengths(mlsys):
    """vLLM's random defaults (registry_data/research/r-workloads/lengths.csv): 1024 prompt, 128 output tokens."""
    res = mlsys("evaluate", "--model", "Llama 3 8B", "--hardware", H100, "--dataset", "vllm-random-default", "--json")
    assert res.exit_code == 0, res.stderr
    row = strict_json(res.stdout)
    assert (row["dataset"], row["prompt_len"], row["output_len"]) == ("vllm-random-default", 1024, 128)


def test_dataset_with_a_length_is_refused(mlsys):
    res = mlsys("evaluate", "--model", "Llama 3 8B", "--hardware", H100, "--dataset", "vllm-random-default",
                "--output-len", "64")
    assert res.exit_code == 2
    assert "--dataset" in res.stderr and "remove --output-len" in flat(res.stderr)
