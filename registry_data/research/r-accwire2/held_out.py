"""The package's latency_s on the held-out SingleStream p90 runs (r-accnode's HELD_OUT_P90_S: the MLPerf runs of
parts without a latency_s row), before (framework 'default', BERT at SQuAD's old mean 177 tokens, as the validation
priced a SQuAD row) and after (framework 'TensorRT', BERT at the p90 length the workloads catalog states, 272):

    .venv/bin/python registry_data/research/r-accwire2/held_out.py

Diagnosis only: these runs are not validation rows and nothing is fitted to them. r-accf5 §3 priced the same by
hand (F0 35.5 % -> F4h 23.4 %, with the L4 / A30 / A40 / T4 given the GEMM fit's default form); since r-accwire3 the
package gives those parts' graphed GEMMs that form too (before it: their profile η, r-accf4's "F4p", 29.1 %).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "r-accnode"))
import single_stream as ss  # noqa: E402  (r-accnode: the held-out runs' p90s)

from pipeline import api  # noqa: E402
from pipeline.catalogs.io import read_catalog  # noqa: E402

OLD_SQUAD_TOKENS = 177  # round(176.6), the catalog's mean before r-accwire's lengths


def latency(model: str, hardware: str, tokens: int, framework: str) -> float:
    return api.evaluate(model, hardware, batch=1, compute_dtype="int8", seq_len=tokens,
                        framework=framework).row(0, named=True)["latency_s"]


def main() -> dict[str, list[float]]:
    squad = read_catalog("workloads").filter(pl.col("name") == "SQuAD v1.1").row(0, named=True)
    if squad["input_tokens_p90"] is None or "graph_compute_time_s" not in api.evaluate(
            "BERT-Large", "A100 SXM4 80GB", compute_dtype="int8", seq_len=1).columns:
        raise SystemExit("held_out.py prices the wired package: apply wiring.patch and the two scripts first (README)")
    p90 = round(squad["input_tokens_p90"])
    errs: dict[str, list[float]] = {}
    print(f"held-out SingleStream p90s: error %, default @{OLD_SQUAD_TOKENS} -> TensorRT @{p90} (BERT tokens)")
    for (model, hardware), measured in ss.HELD_OUT_P90_S.items():
        bert = model == "BERT-Large"
        before = latency(model, hardware, OLD_SQUAD_TOKENS if bert else 1, "default")
        after = latency(model, hardware, p90 if bert else 1, "TensorRT")
        pct = [100 * (v / measured - 1) for v in (before, after)]
        for key, v in zip((f"{model} before", f"{model} after", "all before", "all after"), pct * 2):
            errs.setdefault(key, []).append(abs(v))
        print(f"  {model:10} {hardware:15} p90 {measured * 1e3:6.3f} ms: {pct[0]:+6.1f} -> {pct[1]:+6.1f}")
    for key, v in errs.items():
        print(f"  median |error| {key}: {statistics.median(v):.1f} % ({len(v)})")
    return errs


if __name__ == "__main__":
    main()
