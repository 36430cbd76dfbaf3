"""Read each MLPerf Training BERT row's own result log (its source_url, at the commit it names) from the bare mirrors of
mlcommons/training_results_vX.Y and print the mllog keys that state its layout: global_batch_size, d_batch_size (local
packed rows per GPU), gradient_accumulation_steps, the submission's node count and GPUs per node, and the opt_* keys.

    .venv/bin/python registry_data/research/r-bertbw/logs.py [MIRRORS=/work/.mirror] > /tmp/bert-logs.csv
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl

KEYS = ("global_batch_size", "d_batch_size", "gradient_accumulation_steps", "number_of_nodes",
        "accelerators_per_node", "opt_base_learning_rate", "opt_lamb_beta_1", "opt_lamb_beta_2",
        "max_predictions_per_seq", "opt_learning_rate_training_steps")
URL = re.compile(r"github\.com/mlcommons/(training_results_v[\d.]+)/blob/([0-9a-f]{40})/(.+)$")


def log_keys(mirrors: Path, url: str) -> dict:
    m = URL.search(url)
    repo, commit, path = m.groups()
    git = mirrors / f"mlcommons+{repo}" / "repo"
    text = subprocess.run(["git", "--git-dir", str(git), "show", f"{commit}:{path}"], capture_output=True,
                          text=True, check=True).stdout
    out: dict = {"repo": repo, "commit": commit, "path": path}
    for n, line in enumerate(text.splitlines(), 1):
        if ":::MLLOG" not in line:
            continue
        d = json.loads(line.split(":::MLLOG", 1)[1])
        if d["key"] in KEYS and d["key"] not in out:
            out[d["key"]] = d["value"]
            out[f"{d['key']}_line"] = n
            out[f"{d['key']}_file"] = d.get("metadata", {}).get("file")
    return out


def main(mirrors: Path) -> pl.DataFrame:
    m = pl.read_parquet(Path(__file__).parents[2] / "measurements.parquet")
    rows = m.filter((pl.col("model") == "BERT-Large") & (pl.col("scenario") == "training")
                    & pl.col("source_url").str.contains("training_results"))
    recs = [{"name": r["name"], "devices": r["devices"], "batch": r["batch"], **log_keys(mirrors, r["source_url"])}
            for r in rows.iter_rows(named=True)]
    return pl.DataFrame(recs, infer_schema_length=None)


if __name__ == "__main__":
    frame = main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror"))
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(300)
    frame.write_csv(sys.stdout)
