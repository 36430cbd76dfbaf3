"""The model's Mixtral MoE layer against the fused-MoE timings of timings.csv: every row with a catalog accelerator,
a Mixtral TP shard and no 'not compared' note, priced as r-dsr1/check_fused_moe.py prices vLLM's benchmark_moe rows
(one layer's ``decode_mlp_time_s`` at that many tokens, plus one layer's routing kernels; loaded by path). A
measured value is per call: value x unit / calls_per_value. Nothing fitted. Run from the repository root:
.venv/bin/python registry_data/research/r-mixfp8/check_timings.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl

from pipeline.catalogs.load import load_catalogs

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("check_fused_moe", HERE.parent / "r-dsr1" / "check_fused_moe.py")
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)

UNIT_US = {"us": 1.0, "ms": 1e3}


def compared() -> pl.DataFrame:
    """The rows the model can price: a catalog accelerator, a Mixtral shard, no 'not compared' note."""
    t = pl.read_csv(HERE / "timings.csv")
    bad = t.filter(~pl.col("unit").is_in(list(UNIT_US)))
    if bad.height:
        raise ValueError(f"timings.csv: unit must be one of {sorted(UNIT_US)}, rows {bad['unit'].to_list()}")
    return (t.filter(pl.col("hardware_catalog").is_not_null() & pl.col("mixtral_tp").is_not_null()
                     & ~pl.col("note").fill_null("").str.starts_with("not compared"))
            .with_columns(measured_us=pl.col("value") * pl.col("unit").replace_strict(UNIT_US)
                          / pl.col("calls_per_value")))


def main() -> None:
    mixtral = next(m for m in load_catalogs().models.to_dicts() if m["name"] == "Mixtral 8x7B")
    for r in compared().iter_rows(named=True):
        p = check.predicted_us({"model": "Mixtral 8x7B", "hardware": r["hardware_catalog"], "batch": r["tokens"],
                                "tp": r["mixtral_tp"], "compute_dtype": r["compute_dtype"],
                                "weight_dtype": r["weight_dtype"]}, mixtral)
        err = 100.0 * (p["predicted_us"] / r["measured_us"] - 1.0)
        print(f"{r['source_url'].split('github.com/')[1]:28s} {r['hardware_catalog']:15s} tp{r['mixtral_tp']} "
              f"{r['kernel'][:44]:44s} {r['tokens']:4d} tok ({p['tokens_per_expert']:6.2f}/expert): measured "
              f"{r['measured_us']:7.1f} us, model {p['predicted_us']:7.1f} us (mlp {p['mlp_us']:6.1f}, {p['bound']}) "
              f"{err:+.1f} %")


if __name__ == "__main__":
    main()
