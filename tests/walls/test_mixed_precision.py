"""A per-layer weight-format mix (pipeline.walls.mixed_precision) by hand: b effective bits over the weight dtype's
scale the linear layers' weight bytes and GEMM time by b / bits(weight_dtype); null changes nothing."""

from __future__ import annotations

import polars as pl
import pytest

import pipeline
from pipeline import formulas
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single
from pipeline.units import unit
from pipeline.walls.registries import SERVING

# Mixtral 8x7B's 46.7 B parameters in FP8 (1 B each) at AutoQuantize's Hopper 8.75 effective bits (NVIDIA's MLPerf
# v5.0 HopperOfflineGPUBaseConfig), its Blackwell 7.25 against FP8, none stated, and 7.25 against FP4 (0.5 B)
CASE = {"weight_effective_bits": ([8.75, 7.25, None, 7.25], "bit/param"),
        "weight_bytes_per_element": ([1.0, 1.0, 1.0, 0.5], "B/elem"),
        "params_computed": ([46.7e9] * 4, "param"), "peak_flop_per_s": ([1979e12, 4500e12, 1979e12, 9000e12], "FLOP/s")}


def _plan(outputs: list[str]) -> pl.DataFrame:
    frame = pl.DataFrame({k: v for k, (v, _) in CASE.items()}, schema_overrides={"weight_effective_bits": pl.Float64})
    units = {k: unit(u) for k, (_, u) in CASE.items()}
    return formulas.plan(frame.lazy(), units, outputs, formulas.REGISTRY | SERVING).frame.collect()


def test_the_weight_bytes_by_hand():
    """46.7e9 x 8.75 / 8 = 51.08e9 B (GB), x 7.25 / 8 = 42.32e9; none stated: 46.7e9 at 1 B; 7.25 bits against FP4's
    4: x 1.8125 of 0.5 B, the same 42.32e9 (the mix's bytes do not depend on the reference format)."""
    out = _plan(["weight_bits_scale", "weight_bytes_per_param", "weight_bytes"])
    assert out["weight_bits_scale"].to_list() == pytest.approx([1.09375, 0.90625, 1.0, 1.8125])
    assert out["weight_bytes_per_param"].to_list() == pytest.approx([1.09375, 0.90625, 1.0, 0.90625])
    assert [round(b / 1e9, 2) for b in out["weight_bytes"]] == [51.08, 42.32, 46.7, 42.32]


def test_the_linear_layers_peak_by_hand():
    """The GEMMs of the mix run at the reference peak / (b / bits): 1979 / 1.09375 = 1809.4 TFLOP/s; 4500 / 0.90625
    = 4965.5; 9000 / 1.8125 = 4965.5, FP4's peak at 7.25 bits the same as FP8's at half of it."""
    out = _plan(["linear_peak_flop_per_s"])
    assert [round(p / 1e12, 1) for p in out["linear_peak_flop_per_s"]] == [1809.4, 4965.5, 1979.0, 4965.5]


AXES = {"model": ["Mixtral 8x7B"], "hardware": ["H200 SXM 141GB"], "batch": [512], "tp": [1], "prompt_len": [427],
        "output_len": [145], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"], "kv_dtype": ["fp8"]}
# Mixtral 8x7B's config.json (mistralai/Mixtral-8x7B-v0.1): hidden 4096, 32 query and 8 KV heads of 128, 8 experts
# of intermediate 14336 (gate, up, down), 32 layers; per layer and device at tp 1
QKV = 4096 * (4096 + 2 * 8 * 128)
LAYER = QKV + 4096 * 4096 + 8 * 3 * 4096 * 14336 + 4096 * 8 + 2 * 4096  # + O, the experts, the router, two norms


def _row(bits: float | None, sweep: bool = False) -> dict:
    raw = {"study": "serving", "axes": AXES, "efficiency": {"framework": "TensorRT-LLM"},
           "serving": {} if bits is None else {"weight_effective_bits": bits}}
    if sweep:
        return pipeline.sweep(raw).row(0, named=True)
    return single.answer(parse_spec(raw), load_catalogs(), breakdown=True).frame().row(0, named=True)


def test_a_mix_moves_the_linear_layers_alone():
    """Mixtral 8x7B on an H200 at 8.75 bits against FP8: the resident weights grow by 32 layers x 1,451,270,144
    parameters x 0.75 / 8 B = 4.354 GB (the 16-bit embedding and LM head do not move); the prefill QKV GEMM reads
    25,165,824 x 0.75 / 8 B more and, compute-bound, takes 8.75 / 8 of its time; attention over the context does
    not move. The sweep and the one-configuration formulas agree."""
    plain, mix = _row(None), _row(8.75)
    assert LAYER == 1_451_270_144
    assert mix["weights_per_device_bytes"] - plain["weights_per_device_bytes"] == pytest.approx(32 * LAYER * 0.09375)
    assert mix["prefill_qkv_proj_bytes"] - plain["prefill_qkv_proj_bytes"] == pytest.approx(QKV * 0.09375)
    assert plain["prefill_qkv_proj_bound"] == mix["prefill_qkv_proj_bound"] == "compute"
    assert mix["prefill_qkv_proj_time_s"] / plain["prefill_qkv_proj_time_s"] == pytest.approx(8.75 / 8, rel=1e-9)
    assert mix["prefill_attention_time_s"] == pytest.approx(plain["prefill_attention_time_s"], rel=1e-12)
    swept = _row(8.75, sweep=True)
    assert swept["ttft_s"] == pytest.approx(mix["ttft_s"], rel=1e-9) and swept["ttft_s"] > plain["ttft_s"]


# attention's peak (mixed_precision.attention_peak_flop_per_s), peaks from the hardware catalog (TFLOP/s dense):
# B200 fp4 9000 / fp8 4500 / bf16 2250; GB300 fp4 15000 / fp8 5000 / bf16 2500; an RTX PRO 6000 workstation row
# without an fp8 peak (fp4 2000, bf16 503.8); RTX 4090 int8 660.6 / fp8 330.3 / bf16 165.2; Gaudi 3 bf16 1835 /
# fp16 458.75
PEAKS = {"peak_flop_per_s": [9000e12, 2250e12, 4500e12, 9000e12, 15000e12, 2000e12, 660.6e12, 458.75e12],
         "bytes_per_element": [0.5, 2.0, 1.0, 0.5, 0.5, 0.5, 1.0, 2.0],
         "kv_bytes_per_element": [1.0, 1.0, 2.0, 0.5, 1.0, 1.0, 1.0, 2.0],
         "peak_bf16_flop_per_s": [2250e12, 2250e12, 2250e12, 2250e12, 2500e12, 503.8e12, 165.2e12, 1835e12],
         "peak_fp16_flop_per_s": [2250e12, 2250e12, 2250e12, 2250e12, 2500e12, None, 165.2e12, 458.75e12],
         "peak_fp8_flop_per_s": [4500e12, 4500e12, 4500e12, 4500e12, 5000e12, None, 330.3e12, 1835e12]}
PEAK_UNITS = {"kv_bytes_per_element": "B/elem", "bytes_per_element": "B/elem"}


def test_attention_runs_at_its_kernels_precision_by_hand():
    """fp4 compute over an fp8 KV cache: FP8's 4500 (TensorRT-LLM's FP8 FMHA / MLA); bf16 compute over fp8 KV: bf16's
    2250 (the slower); fp8 compute over a bf16 cache: bf16's 2250; an NVFP4 cache: the FP8 kernels, 4500; GB300 fp4
    over fp8: 5000, not 15000 / 2; no fp8 peak in the catalog: the compute dtype's 2000; int8 over an int8 cache: the
    compute dtype's 660.6 (its kernel is as wide, and attention_dtype names int8's kernel row); fp16 over fp16 on Gaudi
    3: fp16's 458.75, not the 16-bit kernel's bf16 1835."""
    frame = pl.DataFrame(PEAKS, schema_overrides={c: pl.Float64 for c in PEAKS})
    units = {c: unit(PEAK_UNITS.get(c, "FLOP/s")) for c in PEAKS}
    out = formulas.plan(frame.lazy(), units, ["attention_peak_flop_per_s"], formulas.REGISTRY | SERVING).frame.collect()
    assert [p / 1e12 for p in out["attention_peak_flop_per_s"]] == pytest.approx(
        [4500, 2250, 2250, 4500, 5000, 2000, 660.6, 458.75])


def _r1(compute: str) -> dict:
    axes = {"model": ["DeepSeek-R1"], "hardware": ["B200 (HGX B200)"], "batch": [4096], "tp": [1], "ep": [8],
            "prompt_len": [804], "output_len": [3650], "compute_dtype": [compute], "weight_dtype": ["fp4"],
            "kv_dtype": ["fp8"]}
    raw = {"study": "serving", "axes": axes, "efficiency": {"framework": "TensorRT-LLM"}}
    return single.answer(parse_spec(raw), load_catalogs(), breakdown=True).frame().row(0, named=True)


def test_fp4_attention_takes_the_fp8_rows_time():
    """DeepSeek-R1 FP4 on B200 at attention DP 8 / EP 8 over an FP8 KV cache (the MLPerf v5.1 runs): the same
    attention FLOPs at FP8's peak take the fp8 row's time; its projections and MLP stay at FP4's."""
    fp4, fp8 = _r1("fp4"), _r1("fp8")
    assert fp4["decode_attention_flop"] == pytest.approx(fp8["decode_attention_flop"], rel=1e-12)
    assert fp4["decode_attention_time_s"] == pytest.approx(fp8["decode_attention_time_s"], rel=1e-9)
    assert fp4["decode_attention_bound"] == "compute"
    assert fp4["peak_flop_per_s"] == pytest.approx(2 * fp8["peak_flop_per_s"])


def test_mla_projections_take_the_16_bit_gemm_fit_by_hand():
    """A 16-bit QKV GEMM beside NVFP4 weights takes the bf16 kernel fit (sixteen_bit_gemm_*), the 4-bit one's
    elsewhere. M 4096, N 2048, K 7168 on 148 units with 128 x 128 tiles: 32 x 16 = 512 tiles, 4 waves of 148 (512 /
    592), no split-K; the K loop 7168 / (7168 + 1000); ceiling 0.9: 0.9 x 512/592 x 7168/8168 = 0.6831 (under the best
    fraction 0.8), x the framework multiplier 1."""
    from pipeline.walls.mixed_precision import SIXTEEN_BIT_GEMM
    frame = pl.DataFrame({"decode_qkv_proj_gemm_m": [4096.0] * 2, "decode_qkv_proj_gemm_n": [2048.0] * 2,
                          "decode_qkv_proj_gemm_k": [7168.0] * 2,
                          **dict(zip(SIXTEEN_BIT_GEMM, ([148.0] * 2, [128.0] * 2, [128.0] * 2, [0.9] * 2,
                                                        [1000.0] * 2, [0.8] * 2))),
                          "framework_eta_multiplier": [1.0] * 2, "eta_compute": [0.3] * 2,
                          "qkv_at_16_bits": [True, False], "decode_qkv_proj_eta_compute": [0.5] * 2})
    units = {c: (None if c == "qkv_at_16_bits" else unit("")) for c in frame.columns}
    out = formulas.plan(frame.lazy(), units, ["decode_qkv_proj_priced_eta_compute"],
                        formulas.REGISTRY | SERVING).frame.collect()["decode_qkv_proj_priced_eta_compute"]
    assert out.to_list() == pytest.approx([0.9 * 512 / 592 * 7168 / 8168, 0.5])


def test_mla_projections_stay_16_bit_beside_4_bit_weights_by_hand():
    """DeepSeek-R1 NVFP4 (ModelOpt's recipe, the MLPerf v5.1 run's hf_quant_config): an MLA model's QKV projection at
    2 B per parameter and the 16-bit peak (B200: 2250 TFLOP/s, not FP4's 9000); MLA over FP8 weights (DeepSeek's own
    FP8 checkpoint) and a GQA model over FP4 keep the linear layers' 1 B / 0.5 B and peak."""
    frame = pl.DataFrame({"is_mla": [True, True, False], "weight_bytes_per_element": [0.5, 1.0, 0.5],
                          "weight_bytes_per_param": [0.5, 1.0, 0.5], "quantized_layers": [None] * 3,
                          "linear_peak_flop_per_s": [9000e12, 4500e12, 9000e12],
                          "sixteen_bit_peak_flop_per_s": [2250e12] * 3},
                         schema_overrides={"quantized_layers": pl.String})
    units = {"is_mla": None, "quantized_layers": None, "weight_bytes_per_element": unit("B/elem"),
             "weight_bytes_per_param": unit("B/param"),
             "linear_peak_flop_per_s": unit("FLOP/s"), "sixteen_bit_peak_flop_per_s": unit("FLOP/s")}
    out = formulas.plan(frame.lazy(), units, ["qkv_weight_bytes_per_param", "qkv_peak_flop_per_s"],
                        formulas.REGISTRY | SERVING).frame.collect()
    assert out["qkv_weight_bytes_per_param"].to_list() == pytest.approx([2.0, 1.0, 0.5])
    assert [p / 1e12 for p in out["qkv_peak_flop_per_s"]] == pytest.approx([2250, 4500, 9000])
