"""The model's batching gain against the measured one, by part: per-image time at batch 1 over per-image time at a
larger batch, predicted (``api.evaluate``, int8, TensorRT, the node study as validation prices it) and measured (the
same MLPerf system's SingleStream mean latency over its MultiStream / Offline per-image-per-GPU time,
``scenarios.py``). Nothing fitted; nothing written. From the repository root:

    .venv/bin/python registry_data/research/r-adaconv/batching.py /work/.mirror
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenarios  # noqa: E402

from pipeline import api  # noqa: E402

# the results' accelerator names -> the hardware catalog's (only parts it prices conv by conv: an sm_clock_hz)
PARTS = {"NVIDIA L4": "L4", "NVIDIA L40S": "L40S", "NVIDIA A100-SXM-80GB": "A100 SXM4 80GB",
         "NVIDIA A100-PCIe-80GB": "A100 PCIe 80GB", "NVIDIA H100-PCIe-80GB": "H100 PCIe 80GB", "NVIDIA A30": "A30",
         "NVIDIA A40": "A40", "NVIDIA T4": "T4"}
MODELS = {"resnet50": "ResNet-50", "retinanet": "RetinaNet"}
BATCHES = (1, 8, 64)


def per_image(model: str, hardware: str, batch: int) -> float | None:
    try:
        row = api.evaluate(model, hardware, batch=batch, compute_dtype="int8", framework="TensorRT").row(0, named=True)
    except Exception:  # a part the study cannot price (no int8 peak): left out of the table
        return None
    return row["latency_s"] / batch if row["latency_s"] else None


def main(mirror: str) -> None:
    print("| system | part | model | measured SS ms | SS / MS | SS / Offline | predicted b=1 ms | b1 / b8 | b1 / b64 |")
    print("|---|---|---|---|---|---|---|---|---|")
    cache: dict[tuple[str, str], list[float | None]] = {}
    for rnd, sub, system, acc, gpus, model, ms in scenarios.rows(Path(mirror)):
        part = PARTS.get(acc)
        if part is None:
            continue
        key = (MODELS[model], part)
        if key not in cache:
            cache[key] = [per_image(*key, b) for b in BATCHES]
        p1, p8, p64 = cache[key]
        ss_ms = f"{ms['SingleStream'] / ms['MultiStream']:.2f}" if ms.get("MultiStream") else ""
        pred = (f"{p1 * 1e3:.4f} | {p1 / p8:.2f} | {p1 / p64:.2f}" if p1 and p8 and p64 else " | | ")
        print(f"| {rnd} {sub}/{system} | {part} | {MODELS[model]} | {ms['SingleStream']:.4f} | {ss_ms} | "
              f"{ms['SingleStream'] / ms['Offline']:.2f} | {pred} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror")
