"""The Datacrunch (Verda) Llama 3.1 8B run's own split of its step (r-floor's method, section 2): the median logged
``train_step_time`` and forward-only ``validation_step_time`` (the same 32 sequences, same layout, CUDA-graphed; steps
0 and 1, the first evaluation's warm-up at 0.47 and 0.13 s, left out; the median is robust to later warm-ups) of
every result log, and the time outside 3 x forward.

    .venv/bin/python registry_data/research/r-rcomp/dc_log.py [MIRROR_GIT_DIR]
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

COMMIT = "4da2d1cd71eb30c855dad12712480ae5ac90dd89"
RESULTS = "Datacrunch/results/b200_8x8_ngc25.09/llama31_8b"


def steps(text: str) -> tuple[list[float], list[float]]:
    train, forward = [], []
    for line in text.splitlines():
        m = re.search(r":::MLLOG (\{.*\})", line)
        if not m or '"tracked_stats"' not in line:
            continue
        event = json.loads(m.group(1))
        value, step = event["value"], event["metadata"].get("step", 0)
        if "train_step_time" in value:
            train.append(value["train_step_time"])
        elif "validation_step_time" in value and step >= 2:
            forward.append(value["validation_step_time"])
    return train, forward


def main(mirror: Path) -> None:
    names = subprocess.run(["git", "--git-dir", str(mirror), "ls-tree", "--name-only", f"{COMMIT}:{RESULTS}"],
                           capture_output=True, text=True, check=True).stdout.split()
    for name in sorted(n for n in names if n.startswith("result_")):
        text = subprocess.run(["git", "--git-dir", str(mirror), "show", f"{COMMIT}:{RESULTS}/{name}"],
                              capture_output=True, text=True, check=True).stdout
        train, forward = steps(text)
        t, f = statistics.median(train), statistics.median(forward)
        print(f"{name}: train {t * 1e3:.1f} ms ({len(train)}), forward {f * 1e3:.1f} ms ({len(forward)}), "
              f"3 x forward {3 * f * 1e3:.1f} ms, outside it {(t - 3 * f) * 1e3:.1f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/.mirror/mlcommons+training_results_v5.1/repo"))
