"""What-if (not applied to the bundled catalog): the MLPerf Training BERT-Large rows' samples_per_s re-read from
their own result logs as the training-only rate, the evaluation inside each measured interval taken out.

NVIDIA's run_pretraining.py (training_results_v5.0 0fdc28f NVIDIA/benchmarks/bert/implementations/
tyche_ngpu512_ngc25.04_pytorch/run_pretraining.py lines 2009-2022) logs ``tracked_stats`` throughput as the samples
trained since the previous evaluation point over ``time.time() - now_time_log_mlperf``, the clock reset at the
evaluation point, just before eval_start: every interval after the first holds one evaluation (10,000 samples,
run_and_time.sh ``--num_eval_examples``), 3-16 % of it (median ~5 %, r-bertfp8/eval_share.py). The node study
predicts the train step alone. This writes, per row with eval marks in its log, the median over intervals of
samples / (interval - (eval_stop - eval_start)) and says so in source_location; rows whose log has no eval marks
keep their value.

    .venv/bin/python registry_data/research/r-accbertrain/training_only.py /work/.mirror REGISTRY_DIR
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent.parent / "r-bertfp8"))
from eval_share import shares  # noqa: E402
from relabel import bert_rows, git_show, round_and_commit  # noqa: E402

from pipeline.catalogs.io import write_catalog  # noqa: E402
from pipeline.catalogs.schemas import CATALOGS  # noqa: E402

TAG = "training-only rate"


def training_only(measurements: pl.DataFrame, mirrors: Path) -> pl.DataFrame:
    names, values, where = [], [], []
    for name, url, location in bert_rows(measurements).filter(
            ~pl.col("source_location").str.contains(TAG, literal=True)).select(
            "name", "source_url", "source_location").iter_rows():
        version, commit = round_and_commit(url)
        share, rate, _ = shares(git_show(mirrors, version, commit, url.split(f"{commit}/", 1)[1]))
        if rate:
            names.append(name)
            values.append(round(statistics.median(rate), 2))
            where.append(f"{location}; {TAG}: median over {len(rate)} intervals of samples / (interval - "
                         f"eval_stop + eval_start), eval {100 * statistics.median(share):.1f} % of an interval "
                         f"(registry_data/research/r-accbertrain/training_only.py)")
    table = pl.DataFrame({"name": names, "_value": values, "_where": where},
                         schema={"name": pl.String, "_value": pl.Float64, "_where": pl.String})
    out = measurements.join(table, on="name", how="left", maintain_order="left")
    return out.with_columns(value=pl.coalesce("_value", "value"),
                            source_location=pl.coalesce("_where", "source_location")).drop("_value", "_where")


def main(mirrors: Path, registry: Path) -> None:
    out = training_only(pl.read_parquet(registry / "measurements.parquet"), mirrors)
    schema = CATALOGS["measurements"].to_schema().columns
    print(write_catalog(out.select(list(schema)), "measurements", registry))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
