"""ResNet-50 SingleStream (NVIDIA's TensorRT harness, int8, CUDA graphs) priced conv by conv with RetinaNet's forms:
does the fixed-cost accounting that fits RetinaNet (R4) or F4's (R5) carry to the other CNN?

Diagnosis only. Run from the repository root after a validation run (~3 s):

    .venv/bin/python registry_data/research/r-accrest/resnet_layers_priced.py \
        /tmp/accrest-val/validation/*/validation.parquet

The 53 convs of torchvision's ResNet-50 at 224 px (r-mlpmodels' walker, ``resnet_backbone(224, 1, 64)``; with the
fc, 4.089 GMACs = the catalog's 8.178 GFLOP) and the fc as a GEMM (M = 1, N = 1,000, K = 2,048), each priced as in
retinanet_layers_priced.py; under a graph (the harness's ``use_graphs = True`` for ResNet-50 SingleStream,
r-accnode §1) the host cost is one replay (2.5 us + 1 ns a node) and no copy term (the 150 KB image is 5 us).
- G4: sum of the layers at k_half in cycles (R4's) + alpha a layer + replay.
- G5: G4 with each layer's first wave's fixed part replaced by alpha (R5's: F4's accounting).
F0 / F4 are r-accf4's (F4 for a CNN: 50 x alpha + FLOP / (peak x the fit's ceiling), no shapes).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import retinanet_layers_priced as rn  # noqa: E402  (the per-conv forms; imports r-accf4, r-accnode, r-mlpmodels)

f4, ss, rl = rn.f4, rn.ss, rn.rl


# ResNet-50 Offline per-GPU rate of the same chips on TensorRT 8.6 (v3.0) and 9.x / 10.x (v4.1) (samples per
# second / GPUs; v3.0 NVIDIA L4x1 / Dell XR7620 L4x1 / DGX-H100 x1 and x8 / H100-PCIe x1, v4.1 Lenovo 2xL4 /
# Supermicro SYS_821GE 8xH100 SXM / Dell R760 2xH100 PCIe): RetinaNet's OFFLINE_BY_VERSION's chips and rounds.
OFFLINE_BY_VERSION = {
    "L4": ((13157.8, 12617.5), (25600 / 2,)),
    "H100 SXM5 80GB": ((91825.7, 727437 / 8), (707052 / 8,)),
    "H100 PCIe 80GB": ((56635.0,), (112968 / 2,)),
}


def version_ratios() -> None:
    """ResNet-50's TRT 8.6 -> 9.x / 10.x offline speed-up beside RetinaNet's (retinanet_layers_priced)."""
    for name, table in (("ResNet-50", OFFLINE_BY_VERSION), ("RetinaNet", rn.OFFLINE_BY_VERSION)):
        print(f"  {name:9} offline per GPU, TRT >= 9 / TRT 8.6: " + ", ".join(
            f"{hw} x{statistics.median(new) / statistics.median(old):.3f}" for hw, (old, new) in table.items()))


def layers() -> list:
    """ResNet-50's 53 convs at 224 px and its fc (a 1 x 1 'conv' on one position: M = 1, N = 1,000, K = 2,048)."""
    convs, _, _ = rl.resnet_backbone(224, 1, 64)
    return [*convs, rl.Conv(2048, 1000, 1, 1)]


def priced(hardware: str, reg: Path) -> dict[str, float]:
    """F0 / F4 (r-accf4, at batch 1, on r-accf4's registry copy ``reg``) and G4 / G5 of ResNet-50, seconds."""
    got = f4.priced("ResNet-50", hardware, 1, None, reg)
    p = rn.fit(hardware)
    cyc = rn.layer_times(hardware, p["k_half_cycles"] * rn.TRT_OUTPUT_BYTES / rn.FIT_OUTPUT_BYTES, 1, layers())
    zero = rn.layer_times(hardware, f4.NO_K_HALF, 1, layers())
    alpha = ss.ALPHA_CYCLES / ss.CLOCK_HZ[hardware]
    replay = ss.REPLAY_S + cyc.height * ss.REPLAY_PER_NODE_S
    g4 = cyc["time_s"].sum() + cyc.height * alpha + replay
    g5 = g4 - ((cyc["time_s"] - zero["time_s"]) / cyc["waves"]).sum()
    return {"F0": got["F0"], "F4": got["F4"], "G4": g4, "G5": g5}


def main(parquet: str) -> None:
    reg = f4.registry()
    try:
        forms = ("F0", "F4", "G4", "G5")
        rows = [(name, hw, measured) for name, model, hw, batch, _, _, measured, _ in ss.rows(parquet)
                if model == "ResNet-50" and batch == 1 and not name.startswith("seed-")]
        held = [(f"held-out {hw} SS p90", hw, v) for (m, hw), v in ss.HELD_OUT_P90_S.items() if m == "ResNet-50"]
        for title, cases in (("validation rows (MLPerf ResNet-50 SingleStream p90)", rows),
                             ("held-out SingleStream p90s (r-accnode HELD_OUT_P90_S)", held)):
            print(f"\n{title}")
            errs: dict[str, list[float]] = {k: [] for k in forms}
            for name, hw, measured in cases:
                pct = {k: 100 * (v / measured - 1) for k, v in priced(hw, reg).items()}
                for k, v in pct.items():
                    errs[k].append(abs(v))
                print(f"  {name[:60]:60} {hw:15} {measured * 1e3:6.3f} ms " + " ".join(f"{k} {pct[k]:+6.1f}"
                                                                                   for k in forms))
            print("  median |error|: " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in errs.items()))
        print("\nthe engine's speed-up from TensorRT 8.6 to 9.x / 10.x, by model (same chips, Offline)")
        version_ratios()
    finally:
        f4.shutil.rmtree(reg)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: resnet_layers_priced.py VALIDATION_PARQUET")
    main(sys.argv[1])
