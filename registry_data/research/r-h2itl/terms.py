"""The model's decode step of DeepSeek-R1 (SGLang profile, TP8, FP8, 922-token prompt, 7,373 generated: r-infx's 1k/8k
rows, where rho < 0.015 and the TPOT is the decode step) at batch 4-64, term by term, with the intermediate columns
each term is priced from (the serving study's breakdown, extended in memory with ``serving.BREAKDOWN``; nothing is
written to the package).

    .venv/bin/python registry_data/research/r-h2itl/terms.py [HARDWARE ...] > terms.txt
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline import api
from pipeline.studies import serving

HARDWARE = ["H200 SXM 141GB", "B200 (HGX B200)", "MI300X"]
BATCHES = [4, 8, 16, 32, 64]
EXTRA = ["decode_mlp_eta_compute", "decode_mlp_up_eta_compute", "decode_mlp_down_eta_compute", "decode_mlp_up_gemm_m",
         "decode_mlp_up_gemm_n", "decode_mlp_down_gemm_k", "decode_mlp_group_gemms", "decode_mlp_up_gemm_tiles",
         "decode_mlp_down_gemm_tiles", "decode_mlp_up_gemm_tile_efficiency", "decode_mlp_gemm_bytes",
         "decode_mlp_gemm_time_s", "decode_mlp_act_time_s", "decode_mlp_weight_params", "linear_peak_flop_per_s",
         "memory_bandwidth_bytes_per_s", "eta_memory", "n_layers", "decode_attention_eta_compute",
         "decode_attention_kv_bytes", "decode_tp_comm_time_s", "decode_sampling_time_s", "decode_tokens",
         "gemm_tile_m", "gemm_tile_n", "decode_routed_fraction", "decode_projections_time_s",
         "decode_qkv_proj_time_s", "decode_o_proj_time_s", "decode_norms_time_s", "decode_lm_head_time_s"]


def one(hardware: str, batch: int) -> pl.DataFrame:
    kept = serving.BREAKDOWN
    serving.BREAKDOWN = kept + [c for c in EXTRA if c not in kept + serving.OUTPUTS]
    try:
        frame = api.evaluate_serving("DeepSeek-R1", hardware, batch=batch, tp=8, prompt_len=922, output_len=7373,
                                     precision="fp8", framework="SGLang")
    finally:
        serving.BREAKDOWN = kept
    return frame.select([c for c in frame.columns if c.startswith("decode_") or c in EXTRA or c in
                         ("itl_s", "hardware", "batch", "eta_compute")])


def main(hardware: list[str]) -> None:
    frame = pl.concat([one(h, b) for h in hardware for b in BATCHES], how="diagonal_relaxed")
    frame.write_parquet("/tmp/h2itl/terms.parquet")
    pl.Config.set_tbl_cols(60)
    pl.Config.set_tbl_width_chars(400)
    pl.Config.set_tbl_rows(60)
    pl.Config.set_fmt_str_lengths(20)
    for h in hardware:
        print(h)
        print(frame.filter(pl.col("hardware") == h).select("batch", *[c for c in EXTRA if c in frame.columns])
              .transpose(include_header=True, column_names=[str(b) for b in BATCHES]))


if __name__ == "__main__":
    main(sys.argv[1:] or HARDWARE)
