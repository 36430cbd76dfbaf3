"""The GEMM kernel parameters on the hardware side, and a matmul's η from its shape (issue 12)."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline.walls  # noqa: F401  (registers the operator formulas)
from pipeline import formulas
from pipeline.catalogs.load import load_catalogs
from pipeline.studies.kernels import ATTENTION_FIT, kernel_table
from pipeline.units import unit
from pipeline.walls.registries import TRAINING

SIDE = pl.DataFrame({"name": ["H100 SXM5 80GB", "TPU v5p", "MI300X"], "compute_dtype": ["bf16", "bf16", "fp8"]})


def test_kernel_model_gives_kernel_fit_rows_their_parameters():
    out = kernel_table(SIDE, load_catalogs().kernel_efficiency, "kernel", None)
    assert out["efficiency_basis"].to_list() == ["kernel fit", "profile η", "kernel fit"]
    assert out["gemm_units"].to_list() == [132.0, None, 304.0]  # sm_count.csv: H100 SXM 132 SMs, MI300X 304 CUs
    assert out["framework_eta_multiplier"].to_list() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("model, override, basis", [("profile", None, "profile η"), ("kernel", 0.4, "override η"),
                                                    ("profile", 0.4, "override η")])
def test_profile_model_or_an_override_keeps_a_constant_eta(model, override, basis):
    out = kernel_table(SIDE, load_catalogs().kernel_efficiency, model, override)
    assert set(out["efficiency_basis"]) == {basis}
    assert out["gemm_units"].null_count() == out.height


def test_prefill_qkv_eta_is_the_shape_model_on_the_catalog_parameters():
    """Llama 2 7B prefill of 2048 tokens on H100 SXM bf16: QKV is M = 2048, N = 3 x 4096, K = 4096;
    128x128 tiles: 16 x 96 = 1536 tiles on 132 SMs, 12 waves: 1536 / 1584; no split-K;
    K loop 4096 / (4096 + k_half); times the catalog ceiling, at most the MAMF fraction (0.80 here,
    above the model's 0.955 x 0.97 x 0.67 = 0.62)."""
    cat = load_catalogs().kernel_efficiency.filter((pl.col("hardware") == "H100 SXM5 80GB")
                                                   & (pl.col("precision") == "bf16")).row(0, named=True)
    columns = {"prefill_tokens": ([2048.0], "tok"), "d_model": ([4096.0], ""),
               "qkv_params_per_device": ([4096.0 * 12288], "param"), "gemm_units": ([132.0], ""),
               "gemm_tile_m": ([128.0], ""), "gemm_tile_n": ([128.0], ""), "gemm_ceiling": ([cat["ceiling"]], ""),
               "gemm_k_half": ([cat["k_half"]], ""),
               "gemm_best_fraction": ([cat["best_fraction"]], ""), "framework_eta_multiplier": ([1.0], ""),
               "eta_compute": ([0.3], "")}
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    plan = formulas.plan(frame.lazy(), {k: unit(u) for k, (_, u) in columns.items()},
                         ["prefill_qkv_proj_eta_compute"], formulas.REGISTRY)
    eta = plan.frame.collect()["prefill_qkv_proj_eta_compute"].item()
    assert eta == pytest.approx(cat["ceiling"] * 1536 / 1584 * 4096 / (4096 + cat["k_half"]))


def test_prefill_attention_eta_is_the_fused_attention_model_on_the_catalog_parameters():
    """Llama 2 7B, one 2048-token prompt on H100 SXM bf16, tp 1: causal pairs 2048²/2, so 1024
    keys per query; 32 heads x 16 query blocks = 512 CTAs on 132 SMs (4 waves: 512 / 528);
    head dim 128: ceiling x 512/528 x 1024/(1024 + s_half) x 128/(128 + d_half)."""
    cat = load_catalogs().kernel_efficiency.filter((pl.col("hardware") == "H100 SXM5 80GB")
                                                   & (pl.col("precision") == "bf16")).row(0, named=True)
    columns = {"prefill_attention_pairs": ([2048.0**2 / 2], ""), "prefill_tokens": ([2048.0], "tok"),
               "prefill_sequences": ([1.0], ""), "n_heads": ([32.0], ""), "tp": ([1.0], ""),
               "head_dim": ([128.0], ""), "gemm_units": ([132.0], ""),
               "attention_ceiling": ([cat["attention_ceiling"]], ""),
               "attention_s_half": ([cat["attention_s_half"]], ""),
               "attention_d_half": ([cat["attention_d_half"]], ""), "eta_compute": ([0.3], "")}
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    plan = formulas.plan(frame.lazy(), {k: unit(u) for k, (_, u) in columns.items()},
                         ["prefill_attention_eta_compute"], formulas.REGISTRY)
    eta = plan.frame.collect()["prefill_attention_eta_compute"].item()
    assert eta == pytest.approx(cat["attention_ceiling"] * 512 / 528 * 1024 / (1024 + cat["attention_s_half"])
                                * 128 / (128 + cat["attention_d_half"]))


def test_kernel_model_takes_the_measured_bandwidth_fraction_where_there_is_one():
    """MI300X: BabelStream median 0.746 of 5.3 TB/s replaces the profile's eta_memory; TPU v5p has
    no bandwidth benchmark and keeps it; the profile model or an eta_memory override keep it too."""
    from pipeline.studies.kernels import measured_memory_fraction

    side = SIDE.with_columns(eta_memory=pl.lit(0.7), eta_memory_low=pl.lit(0.7), eta_memory_high=pl.lit(0.7),
                             eta_memory_source=pl.lit("profile"))
    cat = load_catalogs().kernel_efficiency
    out = measured_memory_fraction(side, cat, "kernel", None)
    assert out["eta_memory"].to_list() == pytest.approx([0.9356, 0.7, 0.7456], abs=1e-3)
    assert out["eta_memory_source"].to_list() == ["bandwidth benchmark", "profile", "bandwidth benchmark"]
    assert measured_memory_fraction(side, cat, "profile", None)["eta_memory"].to_list() == [0.7] * 3
    assert measured_memory_fraction(side, cat, "kernel", 0.5)["eta_memory"].to_list() == [0.7] * 3


def _training(columns: dict, wanted: list[str]) -> dict:
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()})
    plan = formulas.plan(frame.lazy(), {k: (None if u is None else unit(u)) for k, (_, u) in columns.items()},
                         wanted, formulas.REGISTRY | TRAINING)
    return plan.frame.collect().row(0, named=True)


TRAIN = {"microbatch": ([1.0], ""), "seq_len": ([4096.0], "tok"), "cp": ([1.0], ""), "tp": ([1.0], ""),
         "d_model": ([4096.0], ""), "query_dim": ([4096.0], ""), "value_dim": ([4096.0], ""),
         "n_kv_heads": ([32.0], ""), "head_dim": ([128.0], ""),
         "dense_mlp_params_per_layer": ([3 * 4096.0 * 11008], "param"), "vocab_size": ([32000.0], ""),
         "n_experts": ([None], ""), "gemm_units": ([132.0], ""), "gemm_tile_m": ([128.0], ""),
         "gemm_tile_n": ([128.0], ""), "gemm_ceiling": ([1.0], ""), "gemm_k_half": ([0.0], ""),
         "gemm_best_fraction": ([0.8], ""), "framework_eta_multiplier": ([1.0], "")}


def test_training_matmul_eta_is_the_flop_weighted_gemm_model():
    """Llama 2 7B, microbatch 1 x 4096 tokens, tp 1, on 132 SMs (ceiling 1, no K loss, cap 0.8):
    M = 4096 (32 row tiles). QKV N = 12288: 32 x 96 = 3072 tiles, 24 waves: 3072/3168 = 0.9697;
    O N = 4096: 1024 tiles, 8 waves: 0.9697; MLP N = 33024: 258 x 32 = 8256 tiles, 63 waves:
    8256/8316, tile share 33024/(258 x 128) = 1; LM head N = 32000: 250 x 32 = 8000 tiles, 61
    waves: 8000/8052, tile share 32000/32000 = 1. Every one of those is above the 0.8 cap, so
    the FLOP-weighted η is 0.8 exactly; a cap of 1 lets the waves show."""
    assert _training(TRAIN, ["train_matmul_eta_compute"])["train_matmul_eta_compute"] == pytest.approx(0.8)
    eff = {"qkv": 3072 / 3168, "o": 1024 / 1056, "mlp": 8256 / 8316, "head": 8000 / 8052}
    work = {"qkv": 4096 * 12288, "o": 4096 * 4096, "mlp": 4096 * 33024, "head": 4096 * 32000}
    expected = sum(work.values()) / sum(work[k] / eff[k] for k in work)
    uncapped = _training(TRAIN | {"gemm_best_fraction": ([1.0], "")}, ["train_matmul_eta_compute"])
    assert uncapped["train_matmul_eta_compute"] == pytest.approx(expected)


def test_training_backward_eta_times_dgrad_and_wgrad_at_their_own_shapes():
    """The same Llama 2 7B microbatch (M = 4096 tokens, d = 4096, tp 1, 132 SMs, ceiling 1, no K
    loss, cap 1). dgrad dX = dY·Wᵀ has output M x K = 4096 x 4096 for all four matmuls (K = d, and
    v = d for the output projection): 32 x 32 = 1024 tiles, 8 waves: 1024/1056. wgrad dW = Xᵀ·dY
    has output K x N, the forward's C with K rows: QKV 32 x 96 = 3072 tiles (3072/3168), O 1024
    (1024/1056), MLP 32 x 258 = 8256 (8256/8316), LM head 32 x 250 = 8000 (8000/8052). Each GEMM
    does the forward's M·N·K, so the work weights are N (x 4096²) for both."""
    n = {"qkv": 12288, "o": 4096, "mlp": 33024, "head": 32000}
    wgrad = {"qkv": 3072 / 3168, "o": 1024 / 1056, "mlp": 8256 / 8316, "head": 8000 / 8052}
    expected = 2 * sum(n.values()) / sum(n[k] / (1024 / 1056) + n[k] / wgrad[k] for k in n)
    got = _training(TRAIN | {"gemm_best_fraction": ([1.0], "")}, ["train_backward_matmul_eta_compute"])
    assert got["train_backward_matmul_eta_compute"] == pytest.approx(expected)
    moe = _training(TRAIN | {"n_experts": ([8.0], "")}, ["train_backward_matmul_eta_compute"])
    assert moe["train_backward_matmul_eta_compute"] is None


# one layer per GPU of one, no LM head, no recomputation (the training study's compute time by hand): forward
# 10 FLOP of which 6 matmul and 3 the attention core, 2 s of element-wise kernels, peak 1 FLOP/s
ONE_LAYER = {"stage_forward_flop_per_microbatch": ([10.0], "FLOP"), "recompute_flop_per_sequence": ([0.0], "FLOP"),
             "n_layers": ([1.0], ""), "layers_per_gpu": ([1.0], ""), "microbatch": ([1.0], ""), "tp": ([1.0], ""),
             "cp": ([1.0], ""), "pp": ([1.0], ""), "recompute": (["none"], None),
             "layer_forward_flop_per_sequence": ([10.0], "FLOP"),
             "layer_matmul_forward_flop_per_sequence": ([6.0], "FLOP"),
             "lm_head_forward_flop_per_sequence": ([0.0], "FLOP"), "train_matmul_eta_compute": ([0.8], ""),
             "train_backward_matmul_eta_compute": ([0.5], ""), "peak_flop_per_s": ([1.0], "FLOP/s"),
             "attention_peak_flop_per_s": ([1.0], "FLOP/s"), "eta_compute": ([0.4], ""),
             "mlp_forward_flop_per_sequence": ([4.0], "FLOP"), "is_gated_mlp": ([False], None),
             "attention_core_forward_flop_per_sequence": ([3.0], "FLOP"),
             "elementwise_time_per_microbatch_s": ([2.0], "s"), "quantize_time_per_microbatch_s": ([0.0], "s"),
             "lm_head_on_last_stage": ([False], None),
             "virtual_stages": ([1.0], ""), "mtp_layers": ([0.0], ""), "mtp_forward_flop_per_sequence": ([0.0], "FLOP"),
             "weight_gradient_matmuls": ([1.0], ""), "adapter_time_per_microbatch_s": ([0.0], "s"),
             "unfused_attention_eta_compute": ([None], ""), "unfused_attention_backward_eta_compute": ([None], ""),
             "attention_time_ratio_bf16": ([1.0], ""), "attention_time_ratio_fp8": ([1.0], ""),
             "fp8_dot_product_attention": ([False], None)}
# ... with the GEMMs at η 1, the attention core 4 FLOP at 0.5 FLOP/s and no element-wise time
GEMMS_AT_ONE = ONE_LAYER | {"train_matmul_eta_compute": ([1.0], ""), "train_backward_matmul_eta_compute": ([1.0], ""),
                            "attention_peak_flop_per_s": ([0.5], "FLOP/s"),
                            "attention_core_forward_flop_per_sequence": ([4.0], "FLOP"),
                            "elementwise_time_per_microbatch_s": ([0.0], "s")}


def test_training_time_puts_matmuls_at_their_eta_and_the_rest_at_the_profile():
    """One layer per GPU of one, no LM head, no recomputation: forward 10 FLOP of which 6 matmul and
    3 the attention core (the last one, the norms', is timed by the element-wise kernels' bytes:
    2 s here); time = 6 / (peak x 0.8) (forward GEMMs) + 2 x 6 / (peak x 0.5) (dgrad + wgrad) + 3 x 3 /
    (peak x 0.4) + 2 with peak 1 FLOP/s; a MoE model (matmul η null) keeps 3 x 10 / 0.4."""
    columns = ONE_LAYER
    t = _training(columns, ["compute_time_per_microbatch_s"])["compute_time_per_microbatch_s"]
    assert t == pytest.approx(6 / 0.8 + 2 * 6 / 0.5 + 3 * 3 / 0.4 + 2.0)
    # without a fused attention kernel the core's batched GEMMs (training_attention): forward 3 at 0.3,
    # backward 2 x 3 at 0.25; under selective recomputation the core's 3 again at the forward's 0.3
    unfused = columns | {"unfused_attention_eta_compute": ([0.3], ""),
                         "unfused_attention_backward_eta_compute": ([0.25], "")}
    t = _training(unfused, ["compute_time_per_microbatch_s"])["compute_time_per_microbatch_s"]
    assert t == pytest.approx(6 / 0.8 + 2 * 6 / 0.5 + 3 / 0.3 + 2 * 3 / 0.25 + 2.0)
    selective = unfused | {"recompute": (["selective"], None), "recompute_flop_per_sequence": ([3.0], "FLOP")}
    t = _training(selective, ["compute_time_per_microbatch_s"])["compute_time_per_microbatch_s"]
    assert t == pytest.approx(6 / 0.8 + 2 * 6 / 0.5 + 2 * 3 / 0.3 + 2 * 3 / 0.25 + 2.0)
    # "projections" recomputes 5 FLOP: FC1 (half of the MLP's 4) at the forward GEMM η, 3 (the core) at the profile
    saved = columns | {"recompute": (["projections"], None), "recompute_flop_per_sequence": ([5.0], "FLOP")}
    t = _training(saved, ["compute_time_per_microbatch_s"])["compute_time_per_microbatch_s"]
    assert t == pytest.approx((6 + 2) / 0.8 + 2 * 6 / 0.5 + (3 * 3 + 3) / 0.4 + 2.0)
    no_fit = {"train_matmul_eta_compute": ([None], ""), "train_backward_matmul_eta_compute": ([None], "")}
    moe = _training(columns | no_fit, ["compute_time_per_microbatch_s"])
    assert moe["compute_time_per_microbatch_s"] == pytest.approx(3 * 10 / 0.4)
    # an FP8 recipe's GEMM-input casts (training_quantize, here 1.5 s) add beside the element-wise kernels where
    # the GEMMs are timed by the kernel fit (on already-quantized operands); the profile's η path keeps its time
    cast = {"quantize_time_per_microbatch_s": ([1.5], "s")}
    t = _training(columns | cast, ["compute_time_per_microbatch_s"])["compute_time_per_microbatch_s"]
    assert t == pytest.approx(6 / 0.8 + 2 * 6 / 0.5 + 3 * 3 / 0.4 + 2.0 + 1.5)
    moe = _training(columns | no_fit | cast, ["compute_time_per_microbatch_s"])
    assert moe["compute_time_per_microbatch_s"] == pytest.approx(3 * 10 / 0.4)
    # LoRA's frozen base (Hu et al. 2021 §4.2): no weight gradient, the data gradient only (1 x 6 FLOP at the
    # backward η), plus the adapters' own time (here 2 s) beside the element-wise kernels' 2 s
    lora = {"weight_gradient_matmuls": ([0.0], ""), "adapter_time_per_microbatch_s": ([2.0], "s")}
    t = _training(columns | lora, ["compute_time_per_microbatch_s"])["compute_time_per_microbatch_s"]
    assert t == pytest.approx(6 / 0.8 + 1 * 6 / 0.5 + 3 * 3 / 0.4 + 2.0 + 2.0)
    t = _training(columns | no_fit | lora, ["compute_time_per_microbatch_s"])["compute_time_per_microbatch_s"]
    assert t == pytest.approx((3 * 10 - 6) / 0.4 + 2.0)


@pytest.mark.parametrize("fp8_attention, ratio", [(False, 0.896113), (True, 0.665366)])
def test_fused_attention_time_scales_by_the_measured_ratio_of_the_precision_it_runs_in(fp8_attention, ratio):
    """GB300's kernel catalog ratios over GB200 bf16 (cuDNN 9.22 SDPA, Llama 2 70B's 64 / 8 heads, d 128, s 8192,
    causal, fwd + fwd + bwd ms: bf16 6.202 / 6.921 = 0.896113, fp8 4.605 / 6.921 = 0.665366; research/r-trattn).
    One layer of forward 10 FLOP, 6 matmul at η 1 on 1 FLOP/s, 4 in the attention core at 0.5 FLOP/s x η 0.4,
    no recompute: 6 + 2 x 6 + 3 x 4 / (0.5 x 0.4) x ratio, the fp8 ratio only where the run sets FP8 DPA."""
    columns = GEMMS_AT_ONE | {"attention_time_ratio_bf16": ([0.896113], ""),
                              "attention_time_ratio_fp8": ([0.665366], ""),
                              "fp8_dot_product_attention": ([fp8_attention], None)}
    t = _training(columns, ["compute_time_per_microbatch_s"])["compute_time_per_microbatch_s"]
    assert t == pytest.approx(6 + 2 * 6 + 3 * 4 / (0.5 * 0.4) * ratio, rel=1e-12)


def test_fp8_training_runs_attention_at_the_16_bit_peak():
    """Transformer Engine keeps dot-product attention in bf16 under an FP8 recipe (fp8_dpa False by
    default; current scaling does not support FP8 attention): on H100 SXM (NVIDIA datasheet: 989.4
    dense bf16, 1978.9 dense fp8 TFLOP/s) an fp8 row's attention peak is the bf16 one; a bf16 row's
    is its own. In the time: the attention core (4 FLOP) at 0.5 FLOP/s x η 0.4 when the GEMMs run at 1."""
    from pipeline.catalogs.load import load_catalogs
    from pipeline.spec import parse_spec
    from pipeline.studies.training import cluster_side

    spec = parse_spec({"study": "training", "axes": {"cluster": ["NVIDIA DGX SuperPOD DGX H100 (1 SU, 31 nodes)"],
                                                     "compute_dtype": ["bf16", "fp8"], "model": ["Llama 2 7B"]}})
    side = cluster_side(load_catalogs(), spec).frame.sort(pl.col("compute_dtype").cast(pl.String))
    assert side["attention_peak_flop_per_s"].to_list() == pytest.approx([989.4e12, 989.4e12], rel=1e-3)
    assert side["peak_flop_per_s"].to_list() == pytest.approx([989.4e12, 1978.9e12], rel=1e-3)
    columns = GEMMS_AT_ONE
    t = _training(columns, ["compute_time_per_microbatch_s"])["compute_time_per_microbatch_s"]
    assert t == pytest.approx(6 / 1.0 + 2 * 6 / 1.0 + 3 * 4 / (0.5 * 0.4))


def test_encoder_mlp_eta_takes_the_down_projection_at_its_own_k():
    """BERT-Large (d 1024, d_ff 4096, ungated MLP, Devlin et al. 2019) on a node step of 256 x 384
    tokens: M = 98,304 (768 row tiles) on 132 SMs, ceiling 1, k_half 1000, no cap. Up GEMM
    N = 4096, K = 1024: 768 x 32 = 24,576 tiles in 187 waves (24,576 / 24,684), K loop
    1024 / 2024. Down GEMM N = 1024, K = 4096: 768 x 8 = 6144 tiles in 47 waves (6144 / 6204),
    K loop 4096 / 5096. Equal FLOPs, so the MLP's η is their harmonic mean; one GEMM at
    K = d_model for the whole MLP (before) would give the up GEMM's η alone."""
    columns = {"step_tokens": ([98_304.0], "tok"), "d_model": ([1024.0], ""), "ffn_dim": ([4096.0], ""),
               "expert_ffn_dim": ([None], ""), "tp": ([1.0], ""), "n_experts": ([None], ""),
               "n_experts_per_token": ([None], ""), "expert_params_each": ([None], "param"),
               "dense_mlp_params_per_layer": ([2 * 1024.0 * 4096], "param"), "gemm_units": ([132.0], ""),
               "gemm_tile_m": ([128.0], ""), "gemm_tile_n": ([128.0], ""), "gemm_ceiling": ([1.0], ""),
               "gemm_k_half": ([1000.0], ""), "gemm_best_fraction": ([1.0], ""),
               "framework_eta_multiplier": ([1.0], ""), "eta_compute": ([0.3], "")}
    frame = pl.DataFrame({k: v for k, (v, _) in columns.items()},
                         schema={k: pl.Float64 for k in columns})
    wanted = ["step_mlp_up_gemm_n", "step_mlp_down_gemm_k", "step_mlp_eta_compute"]
    got = formulas.plan(frame.lazy(), {k: unit(u) for k, (_, u) in columns.items()}, wanted,
                        formulas.REGISTRY).frame.collect().row(0, named=True)
    assert (got["step_mlp_up_gemm_n"], got["step_mlp_down_gemm_k"]) == pytest.approx((4096.0, 4096.0))
    up = 24_576 / 24_684 * 1024 / 2024
    down = 6144 / 6204 * 4096 / 5096
    assert got["step_mlp_eta_compute"] == pytest.approx(2.0 / (1.0 / up + 1.0 / down))
    assert got["step_mlp_eta_compute"] > 1.2 * up  # the wide-K down projection lifts the MLP


def test_a_fit_with_one_large_tile_goes_back_to_the_profile_eta():
    """MI300X's fit prices every GEMM with one 256 x 256 tile (area 65,536 > 128 x 128): basis and null
    parameters; H100 SXM's 128 x 128 and the profile-η TPU are unchanged."""
    from pipeline.studies.kernels import profile_where_tiles_exceed

    side = kernel_table(SIDE, load_catalogs().kernel_efficiency, "kernel", None).with_columns(
        pl.col("efficiency_basis").cast(pl.Categorical))
    out = profile_where_tiles_exceed(side, 128.0 * 128.0, "profile η (large tile)")
    assert out["efficiency_basis"].cast(pl.String).to_list() == ["kernel fit", "profile η", "profile η (large tile)"]
    assert out["gemm_units"].to_list() == [132.0, None, None]
    assert out["gemm_k_half"][2] is None and out["attention_ceiling"][2] is None
    assert out["memory_latency_s"][2] == 0.0  # a profile η stands for the whole operator, as kernel_table has it
    assert out.schema["efficiency_basis"] == side.schema["efficiency_basis"]


def test_mi300x_fit_prices_an_encoder_gemm_at_about_one_percent_of_peak():
    """Why the node study leaves MI300X's fit (pipeline.studies.node.NODE_MAX_FIT_TILE_AREA): BERT-Large batch 1,
    384 x 1024 x 1024 bf16. 256 x 256 tiles: 2 x 4 = 8 tiles, split-K min(floor(304 / 8), ceil(1024 / 256)) = 4,
    so 32 of 304 CUs busy; tile share 384 x 1024 / (512 x 1024) = 0.75; K piece 256: 256 / (256 + k_half)."""
    from pipeline.units import lit
    from pipeline.walls.gemm import gemm_capped_efficiency

    cat = load_catalogs().kernel_efficiency.filter((pl.col("hardware") == "MI300X")
                                                   & (pl.col("precision") == "bf16")).row(0, named=True)
    eta = gemm_capped_efficiency(*(lit(v) for v in (384.0, 1024.0, 1024.0, 304.0, 256.0, 256.0, cat["ceiling"],
                                                    cat["k_half"], cat["best_fraction"])))
    got = pl.select(eta.expr).item()
    assert got == pytest.approx(cat["ceiling"] * 32 / 304 * 0.75 * 256 / (256 + cat["k_half"]))
    assert got < 0.015  # 0.012 at the catalog's k_half 830: 1/25 of the profile's 0.3


def test_the_node_study_halves_k_half_where_it_writes_8_bit_activations():
    """k_half_at_activation_bytes: int8 (1 B/elem) inference rows take half the fit's k_half, fp16 (2 B)
    rows keep it, int8 training rows keep the fit's 16-bit C, rows without a fit stay null."""
    from pipeline.studies.kernels import k_half_at_activation_bytes

    side = pl.DataFrame({"gemm_k_half": [1986.9, 993.4, 1986.9, None], "bytes_per_element": [1.0, 2.0, 1.0, 1.0],
                         "workload": ["inference", "inference", "training", "inference"]})
    out = k_half_at_activation_bytes(side)
    assert out["gemm_k_half"].to_list() == [pytest.approx(993.45), pytest.approx(993.4), pytest.approx(1986.9), None]
    assert out.columns == side.columns
    assert k_half_at_activation_bytes(side.drop("bytes_per_element")).equals(side.drop("bytes_per_element"))


def test_serving_attention_takes_the_ceiling_of_the_precision_its_peak_is_priced_at():
    """B200 serving rows (r-fp8attn): fp4 weights over an FP8 KV cache run attention in FP8 (TensorRT-LLM's
    attentionOp), so they take the (B200, fp8) row's cuDNN FP8 ceiling; fp8 compute over a 16-bit cache runs the
    16-bit kernel (bf16's FA4 ceiling); bf16 over bf16 keeps its own. The GEMM parameters stay the compute dtype's."""
    cat = load_catalogs().kernel_efficiency.filter(pl.col("hardware") == "B200 (HGX B200)",
                                                   pl.col("efficiency_basis") != ATTENTION_FIT)  # the default rows
    ceiling = dict(zip(cat["precision"], cat["attention_ceiling"]))
    tiles = dict(zip(cat["precision"], cat["tile_m"]))
    side = pl.DataFrame({"name": "B200 (HGX B200)", "compute_dtype": ["fp4", "fp8", "bf16", "fp4"],
                         "kv_dtype": ["fp8", "bf16", "bf16", "bf16"], "bytes_per_element": [0.5, 1.0, 2.0, 0.5],
                         "kv_bytes_per_element": [1.0, 2.0, 2.0, 2.0]})
    out = kernel_table(side, load_catalogs().kernel_efficiency, "kernel", None)
    assert ceiling["fp8"] is not None and ceiling["fp4"] is None
    assert out["attention_ceiling"].to_list() == [ceiling["fp8"], ceiling["bf16"], ceiling["bf16"], ceiling["bf16"]]
    assert out["gemm_tile_m"].to_list() == [tiles["fp4"], tiles["fp8"], tiles["bf16"], tiles["fp4"]]
    # no KV dtype of its own (the node study): the compute dtype's row, as before
    assert kernel_table(side.drop("kv_dtype"), load_catalogs().kernel_efficiency, "kernel",
                        None)["attention_ceiling"].to_list() == [None, ceiling["fp8"], ceiling["bf16"], None]


def test_attention_dtype_is_the_precision_its_peak_prices():
    """By hand, against attention_peak_flop_per_s's rule: fp4 over an FP8 or NVFP4 cache -> fp8; fp8, int8 or fp4
    over a 16-bit cache -> the 16-bit kernel (bf16); fp8 over fp8, bf16 over fp8, fp16 over fp16, int8 over int8 ->
    their own."""
    from pipeline.studies.kernels import attention_dtype
    frame = pl.DataFrame({"c": ["fp4", "fp4", "fp8", "int8", "fp4", "fp8", "bf16", "fp16", "int8"],
                          "b": [0.5, 0.5, 1.0, 1.0, 0.5, 1.0, 2.0, 2.0, 1.0],
                          "kv": [1.0, 0.5, 2.0, 2.0, 2.0, 1.0, 1.0, 2.0, 1.0]})
    out = frame.select(attention_dtype(pl.col("c"), pl.col("b"), pl.col("kv")).alias("a"))["a"].to_list()
    assert out == ["fp8", "fp8", "bf16", "bf16", "bf16", "fp8", "bf16", "fp16", "int8"]



def test_attention_dtype_names_the_peak_attention_is_priced_at_on_every_catalog_row():
    """One rule, two readers: for every accelerator and every compute x KV-cache precision of the catalogs, the peak
    of the precision ``attention_dtype`` names equals ``attention_peak_flop_per_s`` (where both peaks are in the
    hardware catalog), so attention's kernel row and its peak are the same kernel's."""
    from pipeline.studies.kernels import attention_dtype
    from pipeline.walls.registries import SERVING
    catalogs = load_catalogs()
    p = catalogs.precisions.select("name", "bytes_per_element")
    h = catalogs.hardware.select("name", *(f"peak_{d}_flop_per_s" for d in p["name"] if d != "int4"))
    combos = (h.rename({"name": "hardware"}).join(p.rename({"name": "compute_dtype"}), how="cross")
              .join(p.rename({"name": "kv", "bytes_per_element": "kv_bytes_per_element"}), how="cross")
              .filter(pl.col("compute_dtype") != "int4"))
    combos = combos.with_columns(
        peak_flop_per_s=pl.coalesce(pl.when(pl.col("compute_dtype") == d).then(pl.col(f"peak_{d}_flop_per_s"))
                                    for d in p["name"] if d != "int4"),
        sixteen_bit_peak_flop_per_s=pl.coalesce("peak_bf16_flop_per_s", "peak_fp16_flop_per_s"),
        named=attention_dtype(pl.col("compute_dtype"), pl.col("bytes_per_element"), pl.col("kv_bytes_per_element")))
    combos = combos.filter(pl.col("peak_flop_per_s").is_not_null())
    units = {c: unit("FLOP/s") for c in combos.columns if c.endswith("flop_per_s")} | {
        "bytes_per_element": unit("B/elem"), "kv_bytes_per_element": unit("B/elem")}
    priced = formulas.plan(combos.lazy(), units, ["attention_peak_flop_per_s"], formulas.REGISTRY | SERVING)
    named_peak = pl.coalesce(pl.when(pl.col("named") == d).then(pl.col(f"peak_{d}_flop_per_s"))
                             for d in p["name"] if d != "int4")
    out = combos.hstack(priced.frame.collect()).with_columns(named_peak=named_peak).filter(
        pl.col("named_peak").is_not_null())
    assert out.height > 1000 and set(out["named"]) >= {"fp8", "bf16", "int8", "fp16", "fp32"}
    assert out["attention_peak_flop_per_s"].to_list() == pytest.approx(out["named_peak"].to_list(), rel=1e-12)
