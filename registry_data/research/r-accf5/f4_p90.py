"""r-accf4's form F4 with each MLPerf BERT SingleStream row priced at the length its statistic is taken at: a p90
latency at SQuAD's p90 feature length, a mean latency at the mean length (squad_lengths.py, from the data set).

Diagnosis only: nothing here feeds a catalog or the package. Run from the repository root after a validation run:

    .venv/bin/mlsys validate --out /tmp/accf5-val0
    .venv/bin/python registry_data/research/r-accf5/f4_p90.py /tmp/accf5-val0/validation/*/validation.parquet \
        DEV_V1_1_JSON VOCAB_TXT

(~2 min: the monotonicity check evaluates F4 at every distinct SQuAD length on the A100.) F0, F3, F4, F4p and F4h
are r-accf4's (registry_data/research/r-accf4/f4_single_stream.py, imported); only the token count of a SQuAD BERT
case changes. Why the p90 length: LoadGen's SingleStream issues one query at a time, each a sample drawn uniformly
from the 10,833 loaded features (loadgen.cc SampleDistribution<PerformanceOnly>; mlperf.conf
bert.*.performance_sample_count_override = 10833), and reports sorted(latencies)[floor(0.9 n)] (results.cc). If a
query's latency is non-decreasing in its length, that is the latency of the feature at the p90 of the length
distribution (up to sampling noise), which ``monotone`` checks for F4.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "r-accf4"))
sys.path.insert(0, str(HERE))
import f4_single_stream as f4  # noqa: E402  (r-accf4: F4 and its registry; it imports r-accnode's F0 / F3)
import squad_lengths as sl  # noqa: E402

ss = f4.ss
FORMS = ("F0", "F3", "F4", "F4p", "F4h")


def squad_stats(dev_path: str, vocab_path: str) -> tuple[dict[str, float], list[int]]:
    dev = json.loads(sl.checked(dev_path, sl.DEV_SHA256, "SQuAD dev"))
    vocab = sl.load_vocab(sl.checked(vocab_path, sl.VOCAB_SHA256, "vocab").decode("utf-8"))
    lengths, _ = sl.dev_lengths(dev, vocab)
    return sl.stats(lengths), lengths


def tokens_at(model: str, dataset: str | None, seq_len: int | None, statistic: str, s: dict[str, float]) -> int | None:
    """A SQuAD BERT case's tokens at its statistic (p90: the p90 length; mean: the mean length), else its seq_len."""
    if model == "BERT-Large" and dataset == "SQuAD v1.1":
        return round(s["p90"] if statistic == "p90" else s["mean"])
    return seq_len


def price(cases: list[tuple[str, str, str, int, int | None, float]], reg: Path) -> list[dict]:
    out = []
    for name, model, hardware, batch, n_tokens, measured in cases:
        got = f4.priced(model, hardware, batch, n_tokens, reg)
        got["F4h"] = got["F4"] if f4.harness(name) else got["F0"]
        out.append({"name": name, "model": model, "tokens": n_tokens, "measured": measured}
                   | {k: 100 * (got[k] / measured - 1) for k in FORMS})
    return out


def show(title: str, priced: list[dict], classes: dict[str, callable]) -> None:
    print(f"\n{title}")
    print(f"{'case':66} {'tokens':>6} {'meas ms':>8}   " + " ".join(f"{k:>6}" for k in FORMS) + "  (% error)")
    for r in priced:
        print(f"{r['name'][:66]:66} {r['tokens'] or '-':>6} {r['measured'] * 1e3:8.3f}   "
              + " ".join(f"{r[k]:+6.1f}" for k in FORMS))
    for label, keep in ({"all": lambda r: True} | classes).items():
        sel = [r for r in priced if keep(r)]
        if sel:
            print(f"  median |error| {label} ({len(sel)}): "
                  + ", ".join(f"{k} {statistics.median(abs(r[k]) for r in sel):.1f}" for k in FORMS)
                  + "; mean signed F0 / F4h: "
                  + f"{statistics.mean(r['F0'] for r in sel):+.1f} / {statistics.mean(r['F4h'] for r in sel):+.1f}")


def monotone(reg: Path, lengths: list[int], s: dict[str, float]) -> None:
    """F4 against the query length on each BERT part: its per-token slope from the mean to the p90 length, its
    largest 8-token step, whether it ever falls as the length grows; on the A100 SXM, at every distinct length, the
    p90 of F4 over all 10,833 features against F4 at the p90 length (equal when F4 is non-decreasing)."""
    print("\nF4 against the query length (BERT SingleStream, batch 1)")
    grid = sorted({*range(min(lengths), 385, 8), 384, round(s["mean"]), round(s["p90"])})
    for hw in f4.MEAN_LATENCY_S:
        f = {n: f4.priced("BERT-Large", hw, 1, n, reg)["F4"] for n in grid}
        falls = [(a, b) for a, b in zip(grid, grid[1:]) if f[b] < f[a]]
        a, b = max(zip(grid, grid[1:]), key=lambda ab: f[ab[1]] - f[ab[0]])
        lo, hi = round(s["mean"]), round(s["p90"])
        print(f"  {hw:15} F4 {f[grid[0]] * 1e3:5.3f} ms at {grid[0]} -> {f[384] * 1e3:5.3f} ms at 384; "
              f"{(f[hi] - f[lo]) / (hi - lo) * 1e9:6.1f} ns/token from {lo} to {hi}; largest step {a} -> {b} "
              f"+{(f[b] - f[a]) * 1e6:5.1f} us; falls: {falls or 'never'}")
    hw = "A100 SXM4 80GB"
    at = {n: f4.priced("BERT-Large", hw, 1, n, reg)["F4"] for n in sorted(set(lengths))}
    ordered = sorted(at[n] for n in lengths)
    steps = sorted(at)
    falls = [(a, b) for a, b in zip(steps, steps[1:]) if at[b] < at[a]]
    print(f"  {hw}: p90 of F4 over the {len(lengths)} features {ordered[int(0.9 * len(ordered))] * 1e3:.4f} ms, "
          f"F4 at the p90 length {at[round(s['p90'])] * 1e3:.4f} ms; mean of F4 over the features "
          f"{statistics.mean(ordered) * 1e3:.4f} ms, F4 at the mean length {at[round(s['mean'])] * 1e3:.4f} ms; "
          f"falls between consecutive lengths: {falls or 'never'}")


def tile_step(reg: Path, s: dict[str, float]) -> None:
    """How much of the p90 rides on the GEMMs' 128-row tiles: M = 256 -> 257 adds a third M tile to every GEMM
    (the kernel fit's tile quantisation), a step on the compute-bound parts; SQuAD's p90 (272) is past it."""
    p90 = round(s["p90"])
    print(f"\nF4 error against each run's p90 at 256 / 257 / {p90} tokens (the 128-row tile step at M = 256)")
    for hw, measured in f4.P90_S.items():
        got = [100 * (f4.priced("BERT-Large", hw, 1, n, reg)["F4"] / measured - 1) for n in (256, 257, p90)]
        print(f"  {hw:15} " + " / ".join(f"{v:+6.1f}" for v in got) + " %")


def main(parquet: str, dev_path: str, vocab_path: str) -> None:
    s, lengths = squad_stats(dev_path, vocab_path)
    print(f"SQuAD v1.1 dev as MLPerf builds it: {int(s['count'])} features, mean {s['mean']:.2f}, median "
          f"{s['median']:.0f}, p90 {s['p90']:.0f}, p99 {s['p99']:.0f} tokens")
    reg = f4.registry()
    seed = {"seed rows": lambda r: r["name"].startswith("seed-")}
    for at_p90 in (False, True):
        def tok(model, dataset, seq_len, statistic):
            return tokens_at(model, dataset, seq_len, statistic, s) if at_p90 else f4.tokens(model, dataset, seq_len)
        label = "at the statistic's length (p90 rows at the p90)" if at_p90 else "at 177 tokens (r-accf4, today)"
        rows = [(name, model, hw, batch, tok(model, dataset, seq_len, "p90" if name.endswith("-p90") else ""),
                 measured) for name, model, hw, batch, seq_len, dataset, measured, _ in ss.rows(parquet)]
        show(f"validation rows (latency_s), BERT {label}", price(rows, reg), {
            "MLPerf BERT p90": lambda r: r["model"] == "BERT-Large" and not r["name"].startswith("seed-"),
            "MLPerf ResNet-50 p90": lambda r: r["model"] == "ResNet-50" and not r["name"].startswith("seed-"),
            "RetinaNet": lambda r: r["model"] == "RetinaNet"} | seed)
        held = [(f"held-out {m} {hw} SS p90", m, hw, 1, tok(m, "SQuAD v1.1", None, "p90"), v)
                for (m, hw), v in ss.HELD_OUT_P90_S.items()]
        show(f"held-out SingleStream p90s, BERT {label}", price(held, reg), {
            "BERT": lambda r: r["model"] == "BERT-Large", "ResNet-50": lambda r: r["model"] == "ResNet-50"})
    means = [(f"BERT {hw} SS mean", "BERT-Large", hw, 1, tokens_at("BERT-Large", "SQuAD v1.1", None, "mean", s), v)
             for hw, v in f4.MEAN_LATENCY_S.items()]
    show(f"BERT SingleStream mean latency at the mean length {round(s['mean'])}", price(means, reg), {})
    monotone(reg, lengths, s)
    tile_step(reg, s)
    f4.shutil.rmtree(reg)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit("usage: f4_p90.py VALIDATION_PARQUET DEV_V1_1_JSON VOCAB_TXT")
    main(*sys.argv[1:])
