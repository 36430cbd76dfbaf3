"""``mlsys serve-plan``: a frontier with launch settings (exit 0), an SLA no deployment meets (a
result: exit 0, the nearest deployments and the binding constraint), and bad input (exit 2)."""

from __future__ import annotations

import pytest

BASE = ["serve-plan", "--model", "Llama 3.1 70B", "--hardware", "H100 SXM5 80GB", "--gpus", "8", "--isl", "1024",
        "--osl", "256", "--precision", "fp8", "--batch", "64", "--batch", "256"]


def test_a_frontier_with_the_best_of_each_kind_and_its_launch_settings(mlsys):
    res = mlsys(*BASE, "--ttft", "0.5s", "--tpot", "30ms")
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    assert "Pareto frontier (" in out and "no deployment meets" not in out
    frontier = [ln for ln in out.splitlines() if ln.startswith("  aggregated") or ln.startswith("  disaggregated")]
    assert frontier and all("$" in ln for ln in frontier)  # a cost per million tokens on every row
    assert "best aggregated:" in out and "best disaggregated:" in out
    assert "KV transfer network:" in out
    for flag in ("vllm serve meta-llama/Llama-3.1-70B", "--tensor-parallel-size", "--max-num-seqs",
                 "--gpu-memory-utilization", "--kv-transfer-config", "sglang.launch_server", "--mem-fraction-static",
                 "--disaggregation-mode prefill", "trtllm-serve", "--kv_cache_free_gpu_memory_fraction",
                 "vLLM 0.12.0", "SGLang 0.5", "TensorRT-LLM 1.0"):
        assert flag in out, flag


@pytest.mark.parametrize(("sla", "binding"), [(["--ttft", "1ms", "--tpot", "30ms"], "TTFT"),
                                              (["--ttft", "2s", "--tpot", "1ms"], "TPOT")])
def test_an_sla_no_deployment_meets_is_a_result(mlsys, sla, binding):
    res = mlsys(*BASE, *sla)
    assert res.exit_code == 0, res.stderr
    assert "no deployment meets the SLA" in res.stdout
    nearest = [ln for ln in res.stdout.splitlines() if "binding constraint:" in ln]
    assert nearest and all(ln.endswith(f"binding constraint: {binding}") for ln in nearest)


@pytest.mark.parametrize(("extra", "message"), [
    (["--ttft", "0.5s", "--tpot", "30ms", "--spec-draft-tokens", "4", "--spec-acceptance", "1.5"],
     "--spec-acceptance: got 1.5, expected an acceptance rate in [0, 1]"),
    (["--ttft", "0.5s", "--tpot", "30ms", "--spec-draft-tokens", "4", "--spec-acceptance", "0.7",
      "--draft-model", "Llama 3.1 405B"], "is larger than the target"),
    (["--ttft", "fast", "--tpot", "30ms"], "--ttft: got 'fast', expected a time"),
    # a bare number is refused (tryout: "--tpot 30" planned for a 30 000 ms TPOT and exited 0)
    (["--ttft", "0.5s", "--tpot", "30"], "--tpot: got '30' without a unit; expected a time with its unit"),
    (["--ttft", "0.5", "--tpot", "30"], "2 problems - column --ttft: got '0.5' without a unit; expected a time with"),
    (["--ttft", "0.5s", "--tpot", "30ms", "--tpot-percentile", "p90"], "--tpot-percentile: got 'p90', expected one of mean, p50, p99"),
    (["--ttft", "0.5s", "--tpot", "30ms", "--cluster", "No Such Cluster"], "is not in the clusters catalog"),
    (["--ttft", "0.5s", "--tpot", "30ms", "--redundant-experts", "-1"], "--redundant-experts: got -1, expected >= 0"),
])
def test_bad_input_exits_2(mlsys, extra, message):
    res = mlsys(*BASE, *extra)
    assert res.exit_code == 2, res.stdout
    assert message in " ".join(res.stderr.split()), res.stderr


def test_an_unknown_model_exits_2(mlsys):
    res = mlsys(*["Llama 9" if a == "Llama 3.1 70B" else a for a in BASE], "--ttft", "0.5s", "--tpot", "30ms")
    assert res.exit_code == 2 and "Llama 9" in res.stderr, res.stderr


def test_an_moe_model_is_searched_over_expert_parallel_sizes(mlsys):
    """Mixtral 8x7B (8 routed experts) on up to 16 H100s: the search sweeps ep = 1 ... 16, the serving
    study keeps those that divide the experts and are multiples of tp, and an aggregated line counts
    every replica's GPUs (replicas x one replica's, at most --gpus)."""
    res = mlsys("serve-plan", "--model", "Mixtral 8x7B", "--hardware", "H100 SXM5 80GB", "--gpus", "16", "--isl",
                "1024", "--osl", "256", "--precision", "fp8", "--batch", "64", "--ttft", "2s", "--tpot", "100ms")
    assert res.exit_code == 0, res.stderr
    lines = [ln.split() for ln in res.stdout.splitlines() if ln.startswith("  aggregated")]
    assert lines and any(w.startswith("EP") for ln in lines for w in ln)  # some replica shards its experts
    for words in lines:  # "aggregated <total> GPUs <replicas> x [TPt PPp (EPe) ...]"
        total, replicas = int(words[1]), int(words[3])
        tp, pp = int(words[5].lstrip("[TP")), int(words[6].lstrip("PP"))
        ep = next((int(w[2:]) for w in words if w.startswith("EP")), 1)
        assert total == replicas * max(tp, ep) * pp <= 16
