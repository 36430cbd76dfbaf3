"""The conv_layers catalog (pipeline/catalogs/conv_layer_schema.py): each graphed CNN's convolutions as implicit
GEMMs, one row per distinct shape, from r-mlpmodels' layer walker (the code behind the models catalog's FLOPs).
Re-runnable, idempotent:

    .venv/bin/python registry_data/research/r-accg5/conv_layers.py [registry_dir]

ResNet-50 at 224 px: torchvision's resnet50 (ResNet v1.5, stride on the 3 x 3; He et al. 2015, arXiv:1512.03385
Table 1), ``resnet_backbone(224, 1, 64)``: 53 convs, and the fc as a GEMM on one position (M = 1, N = 1,000,
K = 2,048), 21 distinct shapes; 2 x the MACs = 8.178 GFLOP, the models catalog's forward FLOPs (checked here).
RetinaNet is not graphed (its engine replays no CUDA graph, r-accrest §1) and is not listed.
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

SOURCE = "https://github.com/pytorch/vision/blob/main/torchvision/models/resnet.py"
VERIFIED = dt.date(2026, 12, 6)
NOTES = ("torchvision resnet50 (v1.5, stride on the 3x3; He et al. 2015 arXiv:1512.03385 Table 1) at 224 px, walked "
         "by r-mlpmodels retinanet_layers.resnet_backbone(224, 1, 64); fc as M = 1, N = 1000, K = 2048 "
         "(registry_data/research/r-accg5/conv_layers.py)")


def resnet50() -> list:
    """ResNet-50's 53 convs at 224 px and its fc (a 1 x 1 'conv' on one position)."""
    convs, _, _ = rl.resnet_backbone(224, 1, 64)
    return [*convs, rl.Conv(2048, 1000, 1, 1)]


MODELS = {"ResNet-50": resnet50}


def rows(model: str, layers: list) -> pl.DataFrame:
    """One row per distinct (M per image, N, K, input channels), in first-seen order, with its count."""
    shapes = Counter((c.h_out * c.h_out, c.c_out, c.c_in // c.groups * c.k * c.k, c.c_in) for c in layers)
    return pl.DataFrame([{"name": f"{model} {m}x{n}x{k} from {c}", "model": model, "positions": m,
                          "out_channels": n, "reduction": k, "in_channels": c, "count": count,
                          "source_url": SOURCE, "last_verified": VERIFIED, "notes": NOTES,
                          "source_quality": "primary"} for (m, n, k, c), count in shapes.items()])


def catalog(models: pl.DataFrame) -> pl.DataFrame:
    """Every model of ``MODELS``, each checked against the models catalog's forward FLOPs (2 x MACs)."""
    out = []
    for model, layers in MODELS.items():
        table = rows(model, layers())
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
    if path.exists() and read_catalog("conv_layers", registry).equals(
            table.select(read_catalog("conv_layers", registry).columns)):
        print(f"{path}: unchanged ({table.height} rows)")
        return
    print(write_catalog(table, "conv_layers", registry, source=f"{path} (r-accg5)"))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bundled_registry())
