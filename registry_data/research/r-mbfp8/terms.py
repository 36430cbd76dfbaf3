"""The training study's terms for the FP8 training rows of an `mlsys validate` run (diagnosis only; nothing here feeds
the model): each Megatron-Bridge Llama row and each MLPerf NeMo FP8 / FP4 row on a Blackwell part, its predicted step
split into its terms (seconds per step and shares of the step), the GEMM time apart from the attention core's.

    .venv/bin/python registry_data/research/r-mbfp8/terms.py VALIDATION.parquet [OUT.csv]

Each row's spec is the validate path's (``measurement_spec``); its study frame is planned for the columns below
(the training study's own formulas, ``studies.training.inputs`` + ``formulas.plan``).
"""

from __future__ import annotations

import sys

import polars as pl

from pipeline import formulas, runs
from pipeline.catalogs.paths import bundled_registry
from pipeline.spec import parse_spec
from pipeline.studies import training
from pipeline.validation.predict import measurement_spec

STEP = ["compute_time_s", "tp_comm_time_s", "cp_comm_time_s", "pipeline_bubble_time_s", "pp_p2p_time_s",
        "dp_exposed_time_s", "step_time_s"]
PER_MB = ["flop_time_per_microbatch_s", "elementwise_time_per_microbatch_s", "quantize_time_per_microbatch_s",
          "adapter_time_per_microbatch_s"]
READ = ["num_microbatches", "stage_layers", "layer_matmul_forward_flop_per_sequence", "stage_head_flop_per_sequence",
        "attention_core_forward_flop_per_sequence", "microbatch", "tp", "cp", "pp", "virtual_stages", "recompute",
        "weight_gradient_matmuls", "train_matmul_eta_compute", "train_backward_matmul_eta_compute",
        "peak_flop_per_s", "attention_peak_flop_per_s", "eta_compute", "attention_time_ratio_bf16",
        "dp_overlap_fraction", "dp_allreduce_time_s", "zero_stage", "gemm_ceiling", "mfu", "tokens_per_s",
        "samples_per_s"]


def wanted() -> pl.Expr:
    name, hw = pl.col("name"), pl.col("hardware")
    blackwell = hw.str.contains("B200") | hw.str.contains("B300")
    mbridge = name.str.starts_with("mbridge") & name.str.contains("llama")
    mlperf = name.str.starts_with("mlperf-train") & pl.col("compute_dtype").is_in(["fp8", "fp4"]) & blackwell
    return (mbridge | mlperf) & pl.col("predicted").is_not_null()


def terms(r: dict) -> dict | None:
    spec, _ = measurement_spec(r)
    prepared = runs.prepare(parse_spec(spec, "sweep spec (dict)"), bundled_registry())
    frame, units = training.inputs(prepared.space)
    got = formulas.plan(frame, units, STEP + PER_MB + READ, training.FORMULAS).frame.collect()
    if got.height == 0:  # the row's run context (validate's run_context / fold_training) is not replayed here
        print(f"skipped (no configuration outside validate's run context): {r['name']}")
        return None
    o = got.row(0, named=True)
    m, step = o["num_microbatches"], o["step_time_s"]
    share = o["microbatch"] / (o["tp"] * o["cp"])
    matmul = (o["stage_layers"] * o["layer_matmul_forward_flop_per_sequence"] + o["stage_head_flop_per_sequence"]) \
        * share
    # flop_time_per_microbatch_s's GEMM part without recomputation (no row here recomputes): forward + backward
    gemm = m * (matmul / (o["peak_flop_per_s"] * o["train_matmul_eta_compute"])
                + (1.0 + o["weight_gradient_matmuls"]) * matmul
                / (o["peak_flop_per_s"] * o["train_backward_matmul_eta_compute"]))
    tokens = r["batch"] * r["seq_len"]
    per_gpu = {"step_time_s": tokens / r["measured"] / r["devices"] if r["metric"] == "step_time_s" else None,
               "training_tokens_per_s": r["measured"] / r["devices"]}.get(r["metric"])
    out = {"name": r["name"], "error_pct": round(r["error_pct"], 1), "tok_s_gpu": per_gpu,
           "pred_tok_s_gpu": tokens / step / r["devices"], "step_s": step, "m": m}
    out |= {"gemm": gemm / step, "attn+rest": (o["flop_time_per_microbatch_s"] * m - gemm) / step}
    out |= {k.removesuffix("_time_per_microbatch_s"): o[k] * m / step for k in PER_MB[1:3]}
    out |= {k.removesuffix("_time_s"): o[k] / step for k in STEP[1:-1]}
    out |= {"gemm_tflops": o["peak_flop_per_s"] * o["train_matmul_eta_compute"] / 1e12,
            "overlap": o["dp_overlap_fraction"], "zero": o["zero_stage"], "recompute": o["recompute"]}
    return out


def main(validation: str, out: str | None) -> None:
    rows = pl.read_parquet(validation).with_columns(value=pl.col("measured")).filter(wanted()).sort("name")
    df = pl.DataFrame([t for r in rows.iter_rows(named=True) if (t := terms(r)) is not None])
    df = df.with_columns(pl.col("name").str.replace(r"-(tokens-per-s|step|throughput|train-tokens-per-s)$", ""))
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=400, fmt_str_lengths=72, float_precision=3):
        print(df)
    if out:
        df.write_csv(out, float_precision=4)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
