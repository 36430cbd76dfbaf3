"""The model's DeepSeek-R1 decode iteration on 8x B200 (fp4 weights, FP8 KV, attention DP 8 in EP 8, TensorRT-LLM:
the MLPerf v5.1 runs' layout, r-dsr1c / r-dsr1d) term by term, beside the B200 kernel timings of this model's MoE
geometry in kernel_timings.csv (each row cites its source):

    .venv/bin/python registry_data/research/r-dsr1k/kernel_check.py
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

import pipeline

HERE = Path(__file__).parent
HW = "B200 (HGX B200)"
MOE_LAYERS = 58  # DeepSeek-R1: 61 layers, the first 3 dense


def serving(per_rank: int, prompt: int = 804, output: int = 3650, compute: str = "fp4", kv: str = "fp8") -> dict:
    """One evaluate_serving row at per_rank sequences on each of the 8 attention-DP ranks."""
    return pipeline.evaluate_serving("DeepSeek-R1", HW, batch=8 * per_rank, tp=1, ep=8, prompt_len=prompt,
                                     output_len=output, compute_dtype=compute, weight_dtype="fp4", kv_dtype=kv,
                                     framework="TensorRT-LLM").row(0, named=True)


def iteration_table() -> None:
    print("## The model's decode iteration (ms), prompt 804 / output 3650 (the runs' mean lengths)\n")
    print("| sequences per rank | ITL | attention class | MLP class (incl. routing) | routing | all-to-all | "
          "other | launch |")
    print("|---|---|---|---|---|---|---|---|")
    for t in (45, 107, 155, 200, 512):
        r = serving(t)
        cells = [r[k] * 1e3 for k in ("itl_s", "decode_attention_class_time_s", "decode_mlp_class_time_s",
                                      "decode_moe_routing_time_s", "decode_alltoall_time_s",
                                      "decode_other_class_time_s", "decode_launch_overhead_s")]
        print(f"| {t} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")


def moe_layer_table(timings: pl.DataFrame) -> None:
    print("\n## One MoE layer (us): the model's routed+shared experts, routing kernels and all-to-all beside the "
          "measured EP8 MoE layer on 8x B200\n")
    print("| tokens per rank | model: experts (MLP / layer) | routing | all-to-all | model MoE layer | "
          "measured deep_gemm_mega | measured nvfp4_cutedsl | model / measured (best) |")
    print("|---|---|---|---|---|---|---|---|")
    for t in (8, 64, 512, 1024):
        r = serving(t)
        mlp = (r["decode_mlp_class_time_s"] - r["decode_moe_routing_time_s"]) / 61 * 1e6
        routing = r["decode_moe_routing_time_s"] / MOE_LAYERS * 1e6
        a2a = r["decode_alltoall_time_s"] / MOE_LAYERS * 1e6
        layer = mlp + routing + a2a
        got = {k: timings.filter((pl.col("kernel") == k) & (pl.col("tokens_per_rank") == t))["value"].item()
               for k in ("moe_layer_ep8_deep_gemm_mega", "moe_layer_ep8_nvfp4_cutedsl")}
        best = min(got.values())
        print(f"| {t} | {mlp:.0f} | {routing:.0f} | {a2a:.0f} | {layer:.0f} | "
              f"{got['moe_layer_ep8_deep_gemm_mega']:.1f} | {got['moe_layer_ep8_nvfp4_cutedsl']:.1f} | "
              f"{layer / best:.2f} |")


def comm_and_routing(timings: pl.DataFrame) -> None:
    r = serving(128)
    a2a = r["decode_alltoall_time_s"] / MOE_LAYERS * 1e6
    ll = timings.filter(pl.col("kernel").str.starts_with("ep8_"))["value"].sum()
    print("\n## All-to-all and routing per MoE layer (us)\n")
    print(f"- model all-to-all at 128 tokens per rank: {a2a:.1f} us (dispatch + combine; "
          f"{r['decode_alltoall_bytes_per_rank'] / 1e6:.2f} MB per rank per layer); measured low-latency dispatch + "
          f"combine kernels, BF16 tokens, 8x B200: {ll:.1f} us")
    routing = [(t, serving(t)["decode_moe_routing_time_s"] / MOE_LAYERS * 1e6) for t in (8, 155, 512)]
    fused = timings.filter(pl.col("kernel") == "deepseek_topk_routing_fused")["value"].item()
    print("- model routing kernels (router GEMM launch, top-k, sort, offsets, row copy, finalize) per MoE layer: "
          + ", ".join(f"{v:.0f} us at {t}/rank" for t, v in routing)
          + f"; TensorRT-LLM's fused DeepSeek top-k on B200: {fused:.0f} us (unfused 252 us)")


def mla_table(timings: pl.DataFrame) -> None:
    print("\n## MLA decode per layer (us): the model's (B200, 128 heads x one 576-wide latent) beside CUTLASS's SM100 "
          "MLA decode kernel (BF16, sgl-kernel bench_cutlass_mla.py)\n")
    print("| sequences | context | measured GB/s | measured us | measured TFLOP/s | model bf16 us | model fp4/fp8 us | "
          "measured / model bf16 |")
    print("|---|---|---|---|---|---|---|---|")
    mla = timings.filter(pl.col("kernel").str.starts_with("mla_decode_cutlass_bf16"))
    for row in mla.iter_rows(named=True):
        b, s = row["tokens_per_rank"], int(row["kernel"].rsplit("_", 1)[1])
        # the bench's bytes: Q (128 x 576 x 2 B per sequence), O (x 512 / 576) and the BF16 latent cache (576 x 2 B)
        q = b * 128 * 576 * 2
        us = (q + q * 512 / 576 + b * s * 576 * 2) / (row["value"] * 1e9) * 1e6
        flop = 2 * 128 * b * s * (576 + 512)  # FlashMLA's count, as walls/mla_decode.py
        model = {}
        for compute, kv in (("bf16", "bf16"), ("fp4", "fp8")):
            r = pipeline.evaluate_serving("DeepSeek-R1", HW, batch=8 * b, tp=1, ep=8, prompt_len=s - 1, output_len=2,
                                          compute_dtype=compute, weight_dtype=compute, kv_dtype=kv,
                                          framework="TensorRT-LLM").row(0, named=True)
            model[kv] = r["decode_attention_time_s"] * 1e6
        print(f"| {b} | {s} | {row['value']:.0f} | {us:.0f} | {flop / us / 1e6:.0f} | {model['bf16']:.0f} | "
              f"{model['fp8']:.0f} | {us / model['bf16']:.2f} |")


def bestperf() -> None:
    print("\n## NVIDIA's own fixed-length runs, same stack and layout (Best_perf_practice_on_DeepSeek-R1_in_"
          "TensorRT-LLM.md @01c4ece9, max-throughput, 1K / 2K, closed loop; the catalog's trtllm-bestperf rows)\n")
    print("| hardware | sequences per rank | compute priced | KV | model ITL ms | model decode tok/s/GPU | "
          "with prefill | measured tok/s/GPU | model / measured (with prefill) |")
    print("|---|---|---|---|---|---|---|---|---|")
    cases = ((HW, 384, "bf16", "bf16", 4548.0105), (HW, 384, "fp4", "bf16", 4548.0105),
             ("H200 SXM 141GB", 128, "fp8", "fp8", 1436.1584))
    for hw, per_rank, compute, kv, measured in cases:
        r = pipeline.evaluate_serving("DeepSeek-R1", hw, batch=8 * per_rank, tp=1, ep=8, prompt_len=1024,
                                      output_len=2048, compute_dtype=compute,
                                      weight_dtype="fp4" if compute != "fp8" else "fp8", kv_dtype=kv,
                                      framework="TensorRT-LLM").row(0, named=True)
        decode = r["decode_output_tokens_per_s_per_device"]
        # device time per request: its prompt at the prefill rate plus its output at the decode rate
        both = 2048 / (2048 / decode + 1024 / r["prefill_input_tokens_per_s_per_device"])
        print(f"| {hw} | {per_rank} | {compute} | {kv} | {r['itl_s'] * 1e3:.1f} | {decode:.0f} | {both:.0f} | "
              f"{measured:.0f} | {both / measured:.2f} |")


def main() -> None:
    timings = pl.read_csv(HERE / "kernel_timings.csv")
    iteration_table()
    moe_layer_table(timings)
    comm_and_routing(timings)
    mla_table(timings)
    bestperf()


if __name__ == "__main__":
    main()
