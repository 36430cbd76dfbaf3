"""Mean wall power of an MLPerf Inference power submission in each scenario (SingleStream, MultiStream, Offline) of
ResNet-50 and RetinaNet: the first "Watts" field of every line of the analyzer log the run publishes,
closed/<submitter>/results/<system>/<model>/<scenario>/performance/run_1/spl.txt (the whole system at the wall, one
reading a second, MLPerf power rules; PTDaemon's format: Time,<stamp>,Watts,<W>,Volts,...). Read from the bare mirrors
``fetch`` makes. Usage: python power.py /work/.mirror [substring of the accelerator name, default "L4"].
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenarios  # noqa: E402

SPL = "closed/{sub}/results/{sys}/{model}/{scen}/performance/run_1/spl.txt"


def watts(text: str) -> list[float]:
    out = []
    for line in text.splitlines():
        parts = line.split(",")
        if len(parts) > 3 and parts[2] == "Watts":
            out.append(float(parts[3]))
    return out


def main(mirror: str, part: str) -> None:
    print("| round | system | accelerator | model | scenario | readings | mean W | per-image ms / GPU |")
    print("|---|---|---|---|---|---|---|---|")
    for rnd, sub, system, acc, gpus, model, ms in scenarios.rows(Path(mirror)):
        if part not in acc:
            continue
        repo = Path(mirror) / f"mlcommons+inference_results_{rnd}" / "repo"
        for scen in scenarios.SCENARIOS:
            w = watts(scenarios.git(repo, "show", "HEAD:" + SPL.format(sub=sub, sys=system, model=model, scen=scen)))
            if w and ms.get(scen):
                print(f"| {rnd} | {sub}/{system} | {acc} | {model} | {scen} | {len(w)} | {statistics.mean(w):.1f} | "
                      f"{ms[scen]:.4f} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror", sys.argv[2] if len(sys.argv) > 2 else "L4")
