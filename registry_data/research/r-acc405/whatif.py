"""What-ifs on the training rows of an `mlsys validate` run (diagnosis only; nothing here feeds the model): each
row's predicted step split into the training study's terms, and the signed error if a share of the tensor-parallel
collectives (``tp_comm_time_s``) or of the pipeline sends (``pp_p2p_time_s``) were hidden behind compute, and, for
the Llama 3 Table 4 rows, if the interleaved schedule's V were 2, 4 or 8 (the paper states the schedule and its
bubble (PP - 1) / (V M), not V).

    .venv/bin/python registry_data/research/r-acc405/whatif.py VALIDATION.parquet [--registry DIR]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import polars as pl

from pipeline.api import _one_configuration, _spec
from pipeline.catalogs.paths import bundled_registry
from pipeline.validation.predict import measurement_spec

METRICS = ["step_time_s", "training_tokens_per_s", "mfu"]
TERMS = ["compute_time_s", "tp_comm_time_s", "cp_comm_time_s", "ep_comm_time_s", "pipeline_bubble_time_s",
         "pp_p2p_time_s", "dp_exposed_time_s", "step_time_s"]
HIDDEN = (0.0, 0.25, 0.5, 1.0)  # share of tp_comm_time_s taken off the step


def terms(r: dict, registry: Path) -> dict | None:
    """The row's predicted terms (every column of the training study), None where the study gives no step."""
    spec, _ = measurement_spec(r)
    try:
        row = _one_configuration(_spec(spec), registry).row(0, named=True)
    except Exception:  # noqa: BLE001 - a layout the study drops (context too long, ...): no what-if
        return None
    return row if row["step_time_s"] is not None else None


def signed(r: dict, step: float, new_step: float) -> float:
    """Signed error (%) of the row's metric when the predicted step goes from ``step`` to ``new_step``."""
    scale = new_step / step if r["metric"] == "step_time_s" else step / new_step
    return 100.0 * (r["predicted"] * scale / r["measured"] - 1.0)


def group(name: str) -> str:
    for key in ("eos-dfw-n", "carina", "tyche-ngpu256", "nebius", "llama3-table4", "mbridge", "dgxc", "megascale",
                "korthikanti", "gpt3"):
        if key in name:
            return {"eos-dfw-n": "eos" if "405b" in name else "gpt3"}.get(key, key)
    return "other"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("validation", type=Path)
    p.add_argument("--registry", type=Path, default=bundled_registry())
    a = p.parse_args()
    rows = (pl.read_parquet(a.validation).with_columns(value=pl.col("measured"))
            .filter(pl.col("scenario") == "training", pl.col("metric").is_in(METRICS),
                    pl.col("predicted").is_not_null(), pl.col("tp") > 1).sort("name"))
    print("| row | metric | err % | tp share % | " + " | ".join(f"TP {int(h * 100)} % hidden" for h in HIDDEN[1:])
          + " | p2p hidden |")
    print("|" + "---|" * (5 + len(HIDDEN)))
    by_group: dict[str, list[list[float]]] = {}
    for r in rows.iter_rows(named=True):
        t = terms(r, a.registry)
        if t is None:
            continue
        step = t["step_time_s"]
        errs = [signed(r, step, step - h * t["tp_comm_time_s"]) for h in HIDDEN]
        errs.append(signed(r, step, step - t["pp_p2p_time_s"]))
        by_group.setdefault(group(r["name"]), []).append(errs)
        print(f"| {r['name']} | {r['metric']} | {errs[0]:+.1f} | {100 * t['tp_comm_time_s'] / step:.1f} | "
              + " | ".join(f"{e:+.1f}" for e in errs[1:]) + " |")
    print("\n| group | rows | " + " | ".join(f"median signed, TP {int(h * 100)} % hidden" for h in HIDDEN)
          + " | p2p hidden |")
    print("|" + "---|" * (3 + len(HIDDEN)))
    for g, errs in sorted(by_group.items()):
        cols = list(zip(*errs, strict=True))
        print(f"| {g} | {len(errs)} | " + " | ".join(f"{statistics.median(c):+.1f}" for c in cols) + " |")
    allcols = list(zip(*[e for errs in by_group.values() for e in errs], strict=True))
    print("| all TP > 1 | " + str(len(allcols[0])) + " | "
          + " | ".join(f"{statistics.median(abs(x) for x in c):.1f} (median abs)" for c in allcols) + " |")
    print("\nLlama 3 Table 4 rows, V and the ends in the split (embedding_and_loss_in_pipeline_split):")
    print("| row | V | split | mfu | err % | bubble s | p2p s | step s | memory GB | feasible |")
    print("|" + "---|" * 10)
    for r in rows.filter(pl.col("name").str.contains("llama3-table4")).iter_rows(named=True):
        for v in (None, 2, 4, 8):
            for split in (None, True):
                spec, _ = measurement_spec(dict(r, virtual_stages=v, embedding_and_loss_in_pipeline_split=split))
                t = _one_configuration(_spec(spec), a.registry).row(0, named=True)
                err = f"{100 * (t['mfu'] / r['measured'] - 1):+.1f}" if t["mfu"] else "-"
                print(f"| {r['name']} | {v or 1} | {bool(split)} | {t['mfu'] or 0:.3f} | {err} | "
                      f"{t['pipeline_bubble_time_s']:.2f} | {t['pp_p2p_time_s']:.2f} | {t['step_time_s'] or 0:.2f} | "
                      f"{t['memory_per_gpu_bytes'] / 1e9:.1f} | {t['is_feasible']} |")


if __name__ == "__main__":
    main()
