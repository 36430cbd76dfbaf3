"""Write cells.csv: for each DeepSeek-R1 MLPerf Inference v5.1 Server row that r-dsr1c reads a Server config for, the
config's attention-DP balancing timeout (``adp_balancing_timeout_iters``, with ``adp_balancing_enable: True``), the
line it is on, and the batching wait beside it (NVIDIA's llmlib/config.py hands both to TensorRT-LLM's
``attention_dp_config``). Reads the mirror of mlcommons/inference_results_v5.1 with git; fails on a config that does
not enable the balancing or states either number twice.

    .venv/bin/python registry_data/research/r-adpwait/find_cells.py [MIRROR]
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
MIRROR = Path("/work/.mirror/mlcommons+inference_results_v5.1/repo")
COMMIT = "965182b03376a00fcae415c54e560e1c83937932"


def stated(text: str, key: str) -> tuple[int, str]:
    hits = [(i + 1, m.group(1)) for i, line in enumerate(text.splitlines())
            if (m := re.search(rf"""["']{key}["']\s*:\s*([^,\s]+)""", line))]
    if len(hits) != 1:
        sys.exit(f"{key}: {len(hits)} lines state it (one expected)")
    return hits[0]


def main(mirror: Path = MIRROR) -> pl.DataFrame:
    runs = (pl.read_csv(HERE.parent / "r-dsr1c" / "cells.csv")
            .filter(pl.col("path").str.contains("/Server/", literal=True) & (pl.col("commit") == COMMIT))
            .select("name", "repository", "commit", "path").unique(maintain_order=True))
    rows = []
    for r in runs.iter_rows(named=True):
        text = subprocess.run(["git", "-C", str(mirror), "show", f"{r['commit']}:{r['path']}"], check=True,
                              capture_output=True, text=True).stdout
        on_line, on = stated(text, "adp_balancing_enable")
        line, timeout = stated(text, "adp_balancing_timeout_iters")
        wait_line, wait = stated(text, "adp_balancing_batching_wait_iters")
        if on != "True":
            sys.exit(f"{r['path']}: adp_balancing_enable is {on} (line {on_line})")
        rows.append(r | {"column": "adp_balancing_timeout_iters", "value": int(timeout), "line": line,
                         "why": f"attention-DP balancing on (line {on_line}), timeout_iters {timeout}, "
                                f"batching_wait_iters {wait} (line {wait_line})"})
    out = pl.DataFrame(rows).select("name", "column", "value", "repository", "commit", "path", "line", "why")
    out.write_csv(HERE / "cells.csv")
    return out


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else MIRROR))
