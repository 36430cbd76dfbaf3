"""latency_s's median |error| over its 11 validation rows under F0 (today), r-accf5's F4h at SQuAD's p90 length
(the form accwire2 is wiring) and F4h with each RetinaNet form of retinanet_layers_priced.py, per row class.

Diagnosis only. Run from the repository root (~15 s):

    .venv/bin/mlsys validate --out /tmp/accrest-val
    .venv/bin/python registry_data/research/r-accrest/latency_median.py \
        /tmp/accrest-val/validation/*/validation.parquet DEV_V1_1_JSON VOCAB_TXT

F4h @272 is r-accf5/f4_p90.py's (imported: its tokens_at and SQuAD statistics, r-accf4's priced / harness); the
RetinaNet forms are this folder's. Nothing is fitted to any row.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "r-accf5"))
sys.path.insert(0, str(HERE))
import f4_p90  # noqa: E402  (r-accf5: F4h at the statistic's length; imports r-accf4 and r-accnode)
import resnet_layers_priced as rs  # noqa: E402
import retinanet_layers_priced as rn  # noqa: E402

f4 = f4_p90.f4
RETINANET_FORMS = ("R2", "R3", "R4", "R5")


def classify(name: str, model: str) -> str:
    if name.startswith("seed-"):
        return "seed"
    return {"BERT-Large": "MLPerf BERT", "ResNet-50": "MLPerf ResNet-50", "RetinaNet": "RetinaNet"}[model]


def row_errors(parquet: str, dev_path: str, vocab_path: str) -> list[dict]:
    """Per validation row: its class and % error under F0 (today's form and length), F4h @p90 and F4h with the
    RetinaNet rows at each of RETINANET_FORMS."""
    s, _ = f4_p90.squad_stats(dev_path, vocab_path)
    reg = f4.registry()
    out = []
    try:
        for name, model, hw, batch, seq_len, dataset, measured, _ in f4.ss.rows(parquet):
            n = f4_p90.tokens_at(model, dataset, seq_len, "p90" if name.endswith("-p90") else "", s)
            got = f4.priced(model, hw, batch, n, reg)
            f4h = got["F4"] if f4.harness(name) else got["F0"]
            today = f4.priced(model, hw, batch, f4.tokens(model, dataset, seq_len), reg)["F0"]   # 177 tokens
            row = {"name": name, "class": classify(name, model), "F0": today, "F4h": f4h}
            rforms = rn.priced(hw) if model == "RetinaNet" else {}
            for k in RETINANET_FORMS:
                row[f"F4h+{k}"] = rforms.get(k, f4h)
            # F4's accounting on both CNNs: RetinaNet at R5, the MLPerf ResNet-50 rows at G5 (seed rows stay F0)
            resnet = model == "ResNet-50" and f4.harness(name) and batch == 1
            row["F4h+R5+G5"] = rs.priced(hw, reg)["G5"] if resnet else row["F4h+R5"]
            out.append({"name": name, "class": row["class"]}
                       | {k: 100 * (v / measured - 1) for k, v in row.items() if k not in ("name", "class")})
    finally:
        f4.shutil.rmtree(reg)
    return out


def main(parquet: str, dev_path: str, vocab_path: str) -> None:
    rows = row_errors(parquet, dev_path, vocab_path)
    forms = ["F0", "F4h", *(f"F4h+{k}" for k in RETINANET_FORMS), "F4h+R5+G5"]
    print(f"{'row':66} {'class':16} " + " ".join(f"{k:>9}" for k in forms) + "  (% error)")
    for r in rows:
        print(f"{r['name'][:66]:66} {r['class']:16} " + " ".join(f"{r[k]:+9.1f}" for k in forms))
    groups = {"all 11 rows": lambda r: True, "without the 3 seed rows": lambda r: r["class"] != "seed"}
    groups |= {c: (lambda r, c=c: r["class"] == c) for c in dict.fromkeys(r["class"] for r in rows)}
    for label, keep in groups.items():
        sel = [r for r in rows if keep(r)]
        print(f"  median |error| {label} ({len(sel)}): "
              + ", ".join(f"{k} {statistics.median(abs(r[k]) for r in sel):.1f}" for k in forms))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit("usage: latency_median.py VALIDATION_PARQUET DEV_V1_1_JSON VOCAB_TXT")
    main(*sys.argv[1:])
