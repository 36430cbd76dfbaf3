"""The conv_layers catalog (pipeline/catalogs/conv_layer_schema.py): each CNN's convolutions as implicit GEMMs, one row
per distinct shape, from r-mlpmodels' layer walker (the code behind the models catalog's FLOPs).
Re-runnable, idempotent:

    .venv/bin/python registry_data/research/r-accg5/conv_layers.py [registry_dir]

ResNet-50 at 224 px: torchvision's resnet50 (ResNet v1.5, stride on the 3 x 3; He et al. 2015, arXiv:1512.03385
Table 1), ``resnet_backbone(224, 1, 64)``: 53 convs, and the fc as a GEMM on one position (M = 1, N = 1,000,
K = 2,048); 2 x the MACs = 8.178 GFLOP, the models catalog's forward FLOPs (checked here). What each conv reads and
writes is the int8 TensorRT engine's (r-acccnn): NVIDIA's MLPerf ResNet-50 engine runs the whole res2 stage (its
10 convs, residual adds and ReLUs) as one CUDA kernel, the RES2_FULL_FUSION plugin (``RES2_FUSION``), so only the
stage's input (read once) and its output (res2c's) touch memory; 22 distinct rows.
MLPerf's RetinaNet at 800 px (r-acccnn, r-accrest §2): ``retinanet(800, 32, 4, 264)``, the ResNeXt50-32x4d backbone,
FPN and the heads at the five levels: 111 convs in 35 distinct shapes, 2 x MACs = 402.4 GFLOP (checked). A grouped
conv (ResNeXt's 3 x 3, 32 groups) is listed as one GEMM of N = its output channels and K = its input channels per
group x 9, as r-accrest's ``convs()`` priced it (the FLOPs and weights exact; the groups' own tiles not modelled).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "r-mlpmodels"))
import retinanet_layers as rl  # noqa: E402  (r-mlpmodels: Conv, resnet_backbone)

from pipeline.catalogs.io import read_catalog, write_catalog  # noqa: E402
from pipeline.catalogs.paths import bundled_registry  # noqa: E402
from pipeline.errors import InputError  # noqa: E402

SOURCE = "https://github.com/pytorch/vision/blob/main/torchvision/models/resnet.py"
VERIFIED = dt.date(2026, 12, 6)
NOTES = ("torchvision resnet50 (v1.5, stride on the 3x3; He et al. 2015 arXiv:1512.03385 Table 1) at 224 px, walked "
         "by r-mlpmodels retinanet_layers.resnet_backbone(224, 1, 64); fc as M = 1, N = 1000, K = 2048 "
         "(registry_data/research/r-accg5/conv_layers.py)")
# NVIDIA's int8 ResNet-50 engine (inference_results v4.1 closed/NVIDIA/code/resnet50/tensorrt/rn50_graphsurgeon.py,
# fuse_res2_mega on SM 7.5-9.0, every scenario; its README: "RES2_FULL_FUSION: fuses all the res2* layers into one
# CUDA kernel"): the res2 convs in resnet_backbone's order (2a's 1 x 1, 3 x 3, 1 x 1, projection; 2b's and 2c's
# three) as (channels read, channels written) at each output position: the stage's input (pool1, 64 channels) read
# once, by res2a_branch2a (the projection reads the same tensor), res2c's output (256 channels) written once.
RES2_FUSION_URL = ("https://github.com/mlcommons/inference_results_v4.1/blob/198fc46799b3328b36ee4bcbdebfa2db5a8e6183/"
                   "closed/NVIDIA/code/resnet50/tensorrt/rn50_graphsurgeon.py")
RES2_FUSION = [(64, 0)] + [(0, 0)] * 8 + [(0, 256)]
FUSED_NOTES = ("ResNet-50 res2 conv inside NVIDIA's int8 TensorRT RES2_FULL_FUSION kernel (rn50_graphsurgeon.py "
               "fuse_res2_mega): channels read / written at each output position are the kernel's memory traffic, "
               "0 on chip (registry_data/research/r-accg5/conv_layers.py, r-acccnn)")
# MLPerf RetinaNet: the mlcommons/training model the models catalog's row cites (r-mlpmodels apply.py TRAINING)
RETINANET_SOURCE = ("https://github.com/mlcommons/training/tree/aa344c7fb900e82ed19fb94aebfed50c63ab2204/"
                    "retired_benchmarks/retinanet")
RETINANET_NOTES = ("MLPerf RetinaNet (ResNeXt50-32x4d + FPN P3-P7, 264 classes, 9 anchors) at 800 px, walked by "
                   "r-mlpmodels retinanet_layers.retinanet(800, 32, 4, 264): 111 convs, each its own kernel; a grouped "
                   "conv as one GEMM, K = input channels per group x kernel area "
                   "(registry_data/research/r-accg5/conv_layers.py)")


def resnet50() -> list:
    """ResNet-50's 53 convs at 224 px and its fc (a 1 x 1 'conv' on one position), each with the channels the
    engine reads and writes (``RES2_FUSION`` for the ten convs after the stem)."""
    convs, _, _ = rl.resnet_backbone(224, 1, 64)
    layers = [*convs, rl.Conv(2048, 1000, 1, 1)]
    io = [(c.c_in, c.c_out) for c in layers]
    io[1:1 + len(RES2_FUSION)] = RES2_FUSION
    res2, after = layers[1:1 + len(RES2_FUSION)], layers[1 + len(RES2_FUSION)]   # res2's channels: 64 and 256
    if any((c.h_out, c.c_out in (64, 256)) != (56, True) for c in res2) or after.c_out in (64, 256):
        raise ValueError("conv_layers: ResNet-50's res2 stage is not the ten convs after the stem")
    return list(zip(layers, io))


def retinanet() -> list:
    """MLPerf RetinaNet's 111 convs at 800 px (the models catalog's 402.4 GFLOP), each its own kernel (the engine
    fuses bias, BN, ReLU and residual adds into the convs, no two convs into one; r-accrest §1)."""
    return [(c, (c.c_in, c.c_out)) for c in rl.retinanet(800, 32, 4, 264)[0]]


MODELS = {"ResNet-50": (resnet50, SOURCE, NOTES), "RetinaNet": (retinanet, RETINANET_SOURCE, RETINANET_NOTES)}


def rows(model: str, layers: list, source: str = SOURCE, notes: str = NOTES) -> pl.DataFrame:
    """One row per distinct (M per image, N, K, input channels, channels read, channels written), in first-seen
    order, with its count; ``layers``: (Conv, (read, written)) pairs. A fused conv cites the fusion's source."""
    shapes = Counter((c.h_out * c.h_out, c.c_out, c.c_in // c.groups * c.k * c.k, c.c_in, r, w)
                     for c, (r, w) in layers)

    def row(m: int, n: int, k: int, c: int, r: int, w: int, count: int) -> dict:
        own = (r, w) == (c, n)
        return {"name": f"{model} {m}x{n}x{k} from {c}" + ("" if own else f" (reads {r}, writes {w})"),
                "model": model, "positions": m, "out_channels": n, "reduction": k, "in_channels": c,
                "read_channels": r, "written_channels": w, "count": count,
                "source_url": source if own else RES2_FUSION_URL, "last_verified": VERIFIED,
                "notes": notes if own else FUSED_NOTES, "source_quality": "primary"}
    return pl.DataFrame([row(*shape, count) for shape, count in shapes.items()])


def catalog(models: pl.DataFrame) -> pl.DataFrame:
    """Every model of ``MODELS``, each checked against the models catalog's forward FLOPs (2 x MACs)."""
    out = []
    for model, (layers, source, notes) in MODELS.items():
        table = rows(model, layers(), source, notes)
        flop = 2.0 * (table["positions"] * table["out_channels"] * table["reduction"] * table["count"]).sum()
        stated = models.filter(pl.col("name") == model)["forward_flop_per_sample"].item()
        if abs(flop / stated - 1) > 1e-3:
            raise ValueError(f"conv_layers: {model}'s convs give {flop:.4e} FLOP, the models catalog "
                             f"{stated:.4e} (column forward_flop_per_sample)")
        out.append(table)
    return pl.concat(out)


def main(registry: Path) -> None:
    table = catalog(read_catalog("models", registry))
    path = registry / "conv_layers.parquet"
    try:  # a stored file of an earlier schema (one that lacks a column) is rewritten
        stored = read_catalog("conv_layers", registry) if path.exists() else None
    except InputError:
        stored = None
    if stored is not None and stored.equals(table.select(stored.columns)):
        print(f"{path}: unchanged ({table.height} rows)")
        return
    print(write_catalog(table, "conv_layers", registry, source=f"{path} (r-accg5)"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
