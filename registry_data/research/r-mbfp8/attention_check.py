"""The training study's fused-attention time for one Llama 3 70B layer (batch 2, 64 / 8 heads, d 128, s 8,192, tp 1:
the Megatron-Bridge 26.02 GB200 FP8 70B row's microbatch) against cuDNN's measured time for that same shape on GB200
(NVIDIA/cudnn-frontend fb682ce, bundled in r-trattn/cudnn_sdpa_fb682ce/). Diagnosis only; nothing here feeds the model.

    .venv/bin/python registry_data/research/r-mbfp8/attention_check.py

The model's time is ``training_compute.flop_time_per_microbatch_s``'s fused term per layer, (3 x the forward
attention FLOPs) / (attention_peak_flop_per_s x eta_compute) x attention_time_ratio_bf16, with the row's own
columns (its study frame, as terms.py plans it); cuDNN's is the forward + backward of the bundled GB200 bf16 table.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline import formulas, runs
from pipeline.catalogs.load import load_catalogs
from pipeline.catalogs.paths import bundled_registry
from pipeline.spec import parse_spec
from pipeline.studies import training
from pipeline.validation import read_measurements
from pipeline.validation.predict import measurement_spec

HERE = Path(__file__).parent
ROW = "mbridge-26.02-dgx-gb200-fp8-llama3_70b-64gpus-tokens-per-s"
CUDNN = HERE.parent / "r-trattn" / "cudnn_sdpa_fb682ce" / "llama3.1_20260424_100750.csv"  # GB200 (r-trattn FILES)
COLUMNS = ["attention_core_forward_flop_per_sequence", "microbatch", "tp", "cp", "attention_peak_flop_per_s",
           "eta_compute", "attention_time_ratio_bf16", "peak_flop_per_s", "seq_len"]


def model_row() -> dict:
    catalogs = load_catalogs()
    rows = read_measurements(None, catalogs).rows.filter(pl.col("name") == ROW)
    spec, _ = measurement_spec(rows.row(0, named=True))
    prepared = runs.prepare(parse_spec(spec, "sweep spec (dict)"), bundled_registry())
    frame, units = training.inputs(prepared.space)
    return formulas.plan(frame, units, COLUMNS, training.FORMULAS).frame.collect().row(0, named=True)


def cudnn_ms(seq: int, batch: int) -> dict[str, float]:
    """fwd and bwd ms of the table's cuDNN bf16 call at the shape: causal (top_left), non-deterministic backward, as
    r-trattn/ratios.py reads it."""
    t = pl.read_csv(CUDNN).filter(pl.col("backend") == "cudnn", pl.col("data_type") == "bfloat16",
                                  pl.col("attn_mask") == "top_left", ~pl.col("deterministic_bwd"),
                                  pl.col("q_seqlen") == seq, pl.col("batch_size") == batch,
                                  pl.col("num_q_heads") == 64, pl.col("num_kv_heads") == 8)
    if t.height != 2:
        raise SystemExit(f"{CUDNN.name}: expected one fwd and one bwd row, got {t.height}")
    return dict(zip(t["profile_pass"], t["time_ms"], strict=True))


def main() -> None:
    o = model_row()
    per_layer = o["attention_core_forward_flop_per_sequence"] * o["microbatch"] / (o["tp"] * o["cp"])
    rate = o["attention_peak_flop_per_s"] * o["eta_compute"]
    model_ms = 3.0 * per_layer / rate * o["attention_time_ratio_bf16"] * 1e3
    c = cudnn_ms(int(o["seq_len"]), int(o["microbatch"]))
    measured = c["fwd"] + c["bwd"]
    causal = per_layer / 2.0  # top_left causal: half the score matrix the MFU convention counts
    print(f"{ROW}: forward attention FLOPs per layer and microbatch {per_layer:.4g} (full score matrix; causal "
          f"{causal:.4g})")
    print(f"model: 3 x {per_layer:.4g} / ({o['attention_peak_flop_per_s']:.3g} x eta {o['eta_compute']:.4f}) x "
          f"ratio {o['attention_time_ratio_bf16']:.3f} = {model_ms:.2f} ms (fwd + bwd)")
    print(f"cuDNN GB200 bf16: fwd {c['fwd']:.3f} + bwd {c['bwd']:.3f} = {measured:.3f} ms "
          f"(causal TFLOP/s fwd {causal / c['fwd'] / 1e9:.0f}, bwd {2.5 * causal / c['bwd'] / 1e9:.0f})")
    print(f"model / cuDNN = {model_ms / measured:.2f}; eta that would match cuDNN on these FLOPs: "
          f"{o['eta_compute'] * model_ms / measured:.3f}; at the 16-bit profiles' 0.5: "
          f"{model_ms * o['eta_compute'] / 0.5 / measured:.2f} x cuDNN")


if __name__ == "__main__":
    main()
