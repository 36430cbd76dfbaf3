"""Each MLPerf Training BERT row's predicted train step split into the node study's terms, beside the measured step
(global batch / samples_per_s) and the measured step without the evaluation inside the interval (eval_share.py's
rate). Diagnosis only: nothing here feeds the model.

    .venv/bin/python registry_data/research/r-accbertrain/step_split.py VALIDATION.parquet [--mirrors /work/.mirror]
        [--registry DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent.parent / "r-bertfp8"))
from eval_share import shares  # noqa: E402
from relabel import git_show, round_and_commit, short  # noqa: E402

from pipeline.api import _one_configuration, _spec  # noqa: E402
from pipeline.catalogs.paths import bundled_registry  # noqa: E402
from pipeline.validation.predict import measurement_spec  # noqa: E402

TOKENS = 254
TERMS = ["compute_time_s", "memory_time_s", "elementwise_time_s", "launch_overhead_s", "gradient_allreduce_time_s",
         "gradient_exposed_time_s", "optimizer_traffic_bytes", "latency_s"]


def predicted(r: dict, registry: Path) -> dict:
    spec, why = measurement_spec(r)
    if spec is None:
        raise SystemExit(f"{r['name']}: {why}")
    spec["axes"]["seq_len"] = [TOKENS]  # predict.dataset_length: the phase-2 set's 254.2 tokens per sample
    row = _one_configuration(_spec(spec), registry).row(0, named=True)
    return {t: row.get(t) for t in TERMS}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("validation", type=Path, help="an `mlsys validate` run's validation.parquet")
    p.add_argument("--mirrors", type=Path, default=None)
    p.add_argument("--registry", type=Path, default=bundled_registry())
    a = p.parse_args()
    rows = (pl.read_parquet(a.validation).filter(pl.col("name").str.contains("^mlperf-train-.*bert"),
                                                 pl.col("metric") == "samples_per_s")
            .with_columns(value=pl.col("measured")).sort("hardware", "devices", "batch"))
    fits: dict[str, list[tuple[int, float, float]]] = {}
    print("| row | hw | dev | /GPU | meas ms | no-eval ms | pred ms | compute | memory | elementwise | launches | "
          "allreduce | opt GB | pred/no-eval |")
    print("|" + "---|" * 14)
    for r in rows.iter_rows(named=True):
        t = predicted(r, a.registry)
        meas = r["batch"] / r["value"] * 1e3
        noeval = None
        if a.mirrors is not None:
            version, commit = round_and_commit(r["source_url"])
            _, rate, _ = shares(git_show(a.mirrors, version, commit, r["source_url"].split(f"{commit}/", 1)[1]))
            noeval = r["batch"] / statistics.median(rate) * 1e3 if rate else None
        ms = {k: (v or 0) * 1e3 for k, v in t.items() if k != "optimizer_traffic_bytes"}
        if noeval and r["devices"] <= 64:
            fits.setdefault(r["hardware"], []).append((r["batch"] // r["devices"], noeval, ms["latency_s"]))
        ne = f"{noeval:.1f}" if noeval else "-"
        ratio = f"{noeval / ms['latency_s']:.3f}" if noeval else f"{meas / ms['latency_s']:.3f}m"
        print(f"| {short(r['name'])} | {r['hardware'][:6]} | {r['devices']} | {r['batch'] // r['devices']} | "
              f"{meas:.1f} | {ne} | {ms['latency_s']:.1f} | {ms['compute_time_s']:.1f} | "
              f"{ms['memory_time_s']:.1f} | {ms['elementwise_time_s']:.1f} | {ms['launch_overhead_s']:.2f} | "
              f"{ms['gradient_allreduce_time_s']:.2f} | "
              f"{(t['optimizer_traffic_bytes'] or 0) / 1e9:.2f} | {ratio} |")

    print("\nPer accelerator, least squares over its rows at <= 64 GPUs (training-only step): "
          "ms = a + b x samples per GPU")
    print("| accelerator | rows | measured a | measured b | predicted a | predicted b |")
    print("|---|---|---|---|---|---|")
    for hw, points in sorted(fits.items()):
        if len({x for x, _, _ in points}) > 1:
            (am, bm), (ap, bp) = (line([(x, y) for x, y, _ in points]), line([(x, z) for x, _, z in points]))
            print(f"| {hw} | {len(points)} | {am:.1f} | {bm:.3f} | {ap:.1f} | {bp:.3f} |")


def line(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Intercept and slope of the least-squares line through ``points``."""
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return my - b * mx, b


if __name__ == "__main__":
    main()
