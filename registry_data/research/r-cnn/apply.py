"""CNN rows of the models catalog: ``norm_type = "batchnorm"`` where the released network puts a
batch-norm layer after its convolutions (issue 12, CNN training: the batch-norm kernels' passes over
the feature maps, ``pipeline.walls.memory.elementwise_passes``). VGG-16 (torchvision ``vgg16``,
configuration D of Simonyan & Zisserman 2014) has none and stays null. Run from the repository root
(a second run changes nothing):

    .venv/bin/python registry_data/research/r-cnn/apply.py

Sources (the architecture each catalog row already cites):
- ResNet-18/50/101: He et al. 2015 (arXiv:1512.03385) §3.4 "We adopt batch normalization (BN) right
  after each convolution and before activation"; torchvision resnet.py (nn.BatchNorm2d after every conv).
- MobileNetV2, EfficientNet-B0, Inception-v3: the released torchvision networks the catalog rows
  count (torchvision/models/mobilenetv2.py and efficientnet.py: Conv2dNormActivation, a convolution
  then nn.BatchNorm2d then the activation; inception.py: BasicConv2d = conv, nn.BatchNorm2d, ReLU).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

REGISTRY = Path(__file__).parent.parent.parent
BATCH_NORM = ["ResNet-18", "ResNet-50", "ResNet-101", "MobileNetV2", "EfficientNet-B0", "Inception-v3"]


def apply(registry: Path = REGISTRY) -> int:
    """Rows changed (0 when every listed CNN already says batchnorm)."""
    frame = pl.read_parquet(registry / "models.parquet")
    change = pl.col("name").is_in(BATCH_NORM) & (pl.col("model_type") == "cnn")
    missing = set(BATCH_NORM) - set(frame.filter(change)["name"].to_list())
    if missing:
        raise SystemExit(f"models.parquet: no CNN row named {sorted(missing)}")
    todo = frame.filter(change & (pl.col("norm_type").is_null() | (pl.col("norm_type") != "batchnorm"))).height
    if todo == 0:
        return 0
    out = frame.with_columns(norm_type=pl.when(change).then(pl.lit("batchnorm")).otherwise(pl.col("norm_type")))
    write_catalog(out, "models", registry, source=__file__)
    return todo


if __name__ == "__main__":
    print(f"models: {apply()} CNN rows set to norm_type = batchnorm")
