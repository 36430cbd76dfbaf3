"""The training study end to end: layout rules, step-time identities, the flaws of today's
tools it must not have, the run directory and queries, and bad input."""

from __future__ import annotations

import polars as pl
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline import runs
from pipeline.errors import InputError
from pipeline.spec import parse_spec
from pipeline.studies import training

H100_POD = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"
SELENE = "NVIDIA Selene subset, Megatron-LM (Narayanan et al. SC21, 3072 A100)"


def sweep(axes: dict, knobs: dict | None = None) -> pl.DataFrame:
    spec = {"study": "training", "axes": {"compute_dtype": ["bf16"]} | axes, "training": knobs or {}}
    return pipeline.sweep(spec)


def test_dp8_pp1_to_dp4_pp2_changes_the_step_by_bubble_p2p_and_allreduce_only():
    """Llama 3 8B (32 layers) on 8 H100 of one DGX (NVLink: 450 GB/s x eta_link 0.82, alpha 0.6 us),
    global batch 64, microbatch 1. DP 8 runs m = 8 microbatches of 32 layers; DP 4 x PP 2 runs
    m = 16 of 16 layers: the same compute, no TP. What changes is stated term by term."""
    rows = sweep({"model": ["Llama 3 8B"], "cluster": [H100_POD], "dp": [8, 4], "tp": [1], "pp": [1, 2],
                  "global_batch": [64], "microbatch": [1], "seq_len": [4096], "zero_stage": [1],
                  "recompute": ["selective"], "sequence_parallel": [False]})
    a = rows.filter(pl.col("dp") == 8, pl.col("pp") == 1).row(0, named=True)
    b = rows.filter(pl.col("dp") == 4, pl.col("pp") == 2).row(0, named=True)
    alpha, beta = 0.6e-6, 450e9 * 0.82
    # bubble: (p - 1)/v microbatch times of the PP 2 layout; a microbatch is compute only (no TP/CP/EP)
    bubble = 1 * b["compute_time_s"] / 16
    # point-to-point: 2 (v m + p - 1) = 34 sends of one microbatch's hidden state, 4096 x 4096 x 2 B, over NVLink
    p2p = 2 * (16 + 2 - 1) * (alpha + 4096 * 4096 * 2 / beta)
    # DP all-reduce inside the domain: ring reduce-scatter + all-gather over dp ranks of params x 2 B
    def ring(n, params):
        return 2 * ((n - 1) * alpha + (n - 1) / n * params * 2.0 / beta)
    dp_a, dp_b = ring(8, a["params_per_gpu"]), ring(4, b["params_per_gpu"])
    assert a["compute_time_s"] == pytest.approx(b["compute_time_s"], rel=1e-12)
    assert (a["tp_comm_time_s"], b["tp_comm_time_s"]) == (0.0, 0.0)
    assert b["pipeline_bubble_time_s"] == pytest.approx(bubble, rel=1e-12)
    assert b["pp_p2p_time_s"] == pytest.approx(p2p, rel=1e-12)
    assert (a["dp_allreduce_time_s"], b["dp_allreduce_time_s"]) == (pytest.approx(dp_a, rel=1e-12),
                                                                  pytest.approx(dp_b, rel=1e-12))
    assert b["step_time_s"] - a["step_time_s"] == pytest.approx(bubble + p2p + dp_b - dp_a, rel=1e-9)


def test_model_flops_match_narayanan_equation_3():
    """Narayanan et al. 2021, eq. 3 without recomputation: 72 B s l h^2 (1 + s/(6h) + V/(12 l h))
    per step. GPT-3 175B (l 96, h 12288, V 50257) at s 2048: ours adds biases, norms and the
    learned positions' absence from the head, so within 1 %."""
    row = pipeline.evaluate_training("GPT-3 175B", SELENE, dp=1, tp=8, pp=8, global_batch=1, seq_len=2048,
                                     recompute="full").row(0, named=True)
    b, s, layers, h, v = 1, 2048, 96, 12288, 50257
    narayanan = 72 * b * s * layers * h**2 * (1 + s / (6 * h) + v / (12 * layers * h))
    assert row["model_flop_per_step"] == pytest.approx(narayanan, rel=0.01)
    # full recomputation adds one forward pass: 96 B s l h^2 (...) x (1 + ...) = 4/3 of the layers' FLOPs
    assert row["hardware_flop_per_step"] / row["model_flop_per_step"] == pytest.approx(4 / 3, rel=0.01)


def test_pipeline_parallelism_changes_the_step_time():
    """llm-analysis gives the same step time for PP = 1, 2, 4; here bubble and sends grow with p."""
    rows = sweep({"model": ["Llama 2 13B"], "cluster": [H100_POD], "gpus": [64], "tp": [8], "pp": [1, 2, 4],
                  "global_batch": [128], "recompute": ["full"]}).sort("pp")
    assert rows["pp"].to_list() == [1.0, 2.0, 4.0] and rows["is_feasible"].all()
    assert rows["pipeline_bubble_time_s"].to_list()[0] == 0.0
    assert rows["pipeline_bubble_time_s"].is_sorted() and rows["pp_p2p_time_s"].is_sorted()
    assert rows["step_time_s"].n_unique() == 3


def test_attention_flops_grow_with_context():
    """MLSys·im prices a 131K-token step like an 8K one; here FLOPs per token grow with s."""
    rows = sweep({"model": ["Llama 3.1 8B"], "cluster": [H100_POD], "gpus": [64], "tp": [8], "pp": [1],
                  "cp": [8], "seq_len": [8192, 131072], "global_batch": [64], "recompute": ["full"]}).sort("seq_len")
    per_token = (rows["model_flop_per_step"] / rows["tokens_per_step"]).to_list()
    d, layers = 4096, 32  # the attention term: 12 L d s per token (PaLM App. B)
    assert per_token[1] - per_token[0] == pytest.approx(12 * layers * d * (131072 - 8192), rel=1e-9)


def test_fp8_is_faster_than_bf16_but_not_twice():
    rows = sweep({"model": ["Llama 2 70B"], "cluster": [H100_POD], "gpus": [64], "tp": [8], "pp": [1],
                  "compute_dtype": ["bf16", "fp8"], "global_batch": [64], "recompute": ["full"]})
    t = dict(zip(rows["compute_dtype"].cast(pl.String), rows["compute_time_s"], strict=True))
    assert 1.0 < t["bf16"] / t["fp8"] < 2.0


def test_infeasible_layout_is_a_result():
    row = pipeline.evaluate_training("Llama 3.1 405B", H100_POD, dp=8, tp=1, pp=1, global_batch=8,
                                     zero_stage=0).row(0, named=True)
    assert row["is_feasible"] is False
    assert row["infeasible_reason"] == "weights, optimizer and activations exceed GPU memory"
    assert row["bound"] == "capacity" and row["step_time_s"] is None
    assert row["memory_per_gpu_bytes"] > 80e9 and row["compute_time_s"] > 0


def test_layout_rules_drop_and_count():
    spec = parse_spec({"study": "training", "axes": {
        "model": ["Llama 3 8B", "BERT-Large"], "cluster": [H100_POD], "compute_dtype": ["bf16"], "gpus": [8, 24],
        "tp": [1, 3], "pp": [1, 2], "global_batch": [64], "zero_stage": [1, 3], "sequence_parallel": [False]}})
    prepared = runs.prepare(spec)
    dropped = prepared.space.dropped
    assert dropped[training.DROP_NOT_DECODER] == 16  # BERT: 2 gpus x 2 tp x 2 pp x 2 zero
    assert dropped[training.DROP_GPUS] == 2 * 2  # gpus 8 with tp 3 (pp 1 and 2), x zero 1 and 3
    frame = runs.collect(prepared)
    assert frame.height == prepared.rows
    assert set(frame["tp"].to_list()) == {1.0}  # tp 3 divides no head count of 32
    assert not ((frame["zero_stage"] >= 3) & (frame["pp"] > 1)).any()


def test_evaluate_rejects_a_layout_that_does_not_multiply_to_gpus():
    with pytest.raises(InputError) as err:
        pipeline.evaluate_training("Llama 3 8B", H100_POD, gpus=64, dp=4, tp=8, pp=1)
    assert "dp" in str(err.value) and "32" in str(err.value) and "64" in str(err.value)


def test_published_scale_fits_and_scaling_efficiency_is_one_for_one_node():
    row = pipeline.evaluate_training("Llama 3 8B", H100_POD, dp=1, tp=8, pp=1, global_batch=8).row(0, named=True)
    assert row["scaling_efficiency"] == pytest.approx(1.0, rel=1e-12)
    big = pipeline.evaluate_training("Llama 3 8B", H100_POD, dp=64, tp=8, pp=1, global_batch=512).row(0, named=True)
    assert 0 < big["scaling_efficiency"] < 1  # gradient all-reduce over InfiniBand


def test_sweep_writes_training_parquet_and_the_queries_rank(tmp_path):
    spec = parse_spec({"study": "training", "axes": {
        "model": ["Llama 2 7B"], "cluster": [H100_POD], "compute_dtype": ["bf16"], "gpus": [8, 64],
        "tp": [1, 2, 4, 8], "pp": [1, 2], "global_batch": [256]}, "output": {"dir": str(tmp_path)}})
    run_dir = runs.run(runs.prepare(spec), tmp_path)
    assert list((run_dir / "study=training").glob("accelerator=*/part-*.parquet"))
    ranking = pipeline.query("parallelism_ranking", run=run_dir, model="Llama 2 7B", gpus=64)
    assert ranking["rank"].to_list() == list(range(1, ranking.height + 1))
    assert ranking["step_time_s"].is_sorted()
    curve = pipeline.query("scaling_curve", run=run_dir, model="Llama 2 7B")
    assert curve["gpus"].to_list() == [8.0, 64.0]
    assert curve["per_gpu_vs_smallest"][0] == 1.0


def test_cli_bad_layout_exits_2_naming_the_field(mlsys, tmp_path):
    out = mlsys("evaluate", "--study", "training", "--model", "Llama 3 8B", "--cluster", H100_POD, "--gpus", "64",
                "--dp", "4", "--tp", "8")
    assert out.exit_code == 2
    assert "dp x tp x pp x cp = 4 x 8 x 1 x 1 = 32, expected gpus = 64" in " ".join(out.stderr.split())


def test_cli_zero_microbatch_exits_2_and_writes_nothing(mlsys, tmp_path):
    (tmp_path / "spec.toml").write_text('study = "training"\n[axes]\nmicrobatch = [0]\n')
    out = mlsys("sweep", "--spec", "spec.toml", "--out", "outputs")
    assert out.exit_code == 2
    assert "axes.microbatch[0]: got 0, expected an integer > 0" in " ".join(out.stderr.split())
    assert not (tmp_path / "outputs").exists()


def test_cli_fabric_with_zero_bandwidth_exits_2_and_writes_nothing(mlsys, tmp_path, registry):
    path = registry / "clusters.parquet"
    original = pq.read_table(path)  # keep the unit metadata: only the value is wrong
    edited = pl.from_arrow(original).with_columns(nic_bandwidth_bits_per_s=pl.when(pl.col("name") == H100_POD)
                                                  .then(0.0).otherwise(pl.col("nic_bandwidth_bits_per_s")))
    pq.write_table(edited.to_arrow().cast(original.schema), path)
    out = mlsys("sweep", "--spec", "training", "--registry", str(registry), "--out", "outputs")
    assert out.exit_code == 2
    message = " ".join(out.stderr.split())
    assert "catalog 'clusters'" in message and f"({H100_POD}), column nic_bandwidth_bits_per_s: got 0.0, " \
        "expected > 0" in message
    assert not (tmp_path / "outputs").exists()


def test_node_training_rows_check_the_input_pipeline():
    """Walls 8, 9 in the node study: ResNet-50 training on an H100 with TensorFlow-style JPEG decoding
    needs more CPU cores than its eighth of a DGX's 112, so the input pipeline binds."""
    rows = pipeline.sweep({"axes": {"model": ["ResNet-50"], "hardware": ["H100 SXM5 80GB"], "batch": [256],
                                    "workload": ["training", "inference"]},
                           "data": {"storage": "NVIDIA DGX SuperPOD H100 storage fabric (GDS, per node)",
                                    "data_pipeline": "ImageNet RN50 train pipeline: JPEG decode + crop + flip "
                                                     "(TF, Dell)"}})
    train = rows.filter(pl.col("workload") == "training").row(0, named=True)
    infer = rows.filter(pl.col("workload") == "inference").row(0, named=True)
    assert train["host_utilization"] == pytest.approx(train["samples_per_s"] / 222.7 / (112 / 8), rel=1e-3)
    assert train["input_utilization"] > 1 and train["bound"] == "input pipeline"
    assert infer["input_utilization"] is None and infer["bound"] != "input pipeline"
