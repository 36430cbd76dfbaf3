"""Per-step figures of NVIDIA's MLPerf Training v5.1 Llama 3.1 8B runs at 512 GPUs, from their own logs.

Reads result_*.txt of NVIDIA/results/{tyche,theia}_ngpu{8,72,512}_ngc25.09_nemo/llama31_8b from the local mirror of
mlcommons/training_results_v5.1 (git objects, no work tree) and prints, per system: the median of the
custom_callbacks.py train_step_time values (a 32-step mean each), the wall time between consecutive such lines / 32
(a cross-check that the timer holds the whole step), and the median validation_step_time (forward-only step of the
same 64 samples on the same layout, CUDA-graphed, first step of each evaluation left out: it holds a warm-up).
Run: `.venv/bin/python registry_data/research/r-floor/log_steps.py` from the worktree root.
"""

from __future__ import annotations

import json
import statistics
import subprocess

GIT = "/work/.mirror/mlcommons+training_results_v5.1/repo"
STEPS_PER_LOG = 32  # LOG_EVERY_N_STEPS, config_common_8b.sh line 23


def log_lines(system: str, gpus: int, index: int) -> list[dict]:
    path = f"NVIDIA/results/{system}_ngpu{gpus}_ngc25.09_nemo/llama31_8b/result_{index}.txt"
    text = subprocess.run(["git", f"--git-dir={GIT}", "show", f"HEAD:{path}"], capture_output=True, text=True,
                          check=True).stdout
    return [json.loads(line.split(":::MLLOG ", 1)[1]) for line in text.splitlines() if ":::MLLOG " in line]


def main() -> None:
    for system, gpus in [(s, g) for g in (8, 72, 512) for s in ("tyche", "theia")]:
        train, wall, valid = [], [], []
        for index in range(10):
            try:
                events = [e for e in log_lines(system, gpus, index) if e["key"] == "tracked_stats"]
            except subprocess.CalledProcessError:  # fewer than 10 logs
                continue
            previous = None
            first_valid = True
            for e in events:
                value, meta = e["value"], e["metadata"]
                if "train_step_time" in value and "custom_callbacks" in meta["file"]:
                    train.append(value["train_step_time"])
                    if previous is not None and meta["step"] - previous[1] == STEPS_PER_LOG:
                        wall.append((e["time_ms"] - previous[0]) / 1000 / STEPS_PER_LOG)
                    previous = (e["time_ms"], meta["step"])
                    first_valid = True
                elif "validation_step_time" in value:
                    if not first_valid:
                        valid.append(value["validation_step_time"])
                    first_valid = False
                elif "validation_time" in value:
                    previous = None  # an evaluation sits between the two train lines
        print(f"{system} {gpus} GPUs: train_step_time median {statistics.median(train) * 1e3:.2f} ms (n {len(train)}); "
              f"wall between logs / 32 median {statistics.median(wall) * 1e3:.2f} ms (n {len(wall)}); "
              f"validation_step_time median {statistics.median(valid) * 1e3:.2f} ms (n {len(valid)}, "
              f"min {min(valid) * 1e3:.2f}, max {max(valid) * 1e3:.2f}); train - 3 x validation "
              f"{(statistics.median(train) - 3 * statistics.median(valid)) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
