"""MLPerf RetinaNet (ResNeXt50-32x4d + FPN, 800x800, 264 classes) layer by layer: parameters,
multiply-accumulates and layer output elements per image (issue 12: the catalog's RetinaNet row).

Architecture, from the MLPerf reference the inference benchmark's model comes from
(github.com/mlcommons/training, retired_benchmarks/retinanet/ssd at aa344c7f; the inference README
vision/classification_and_detection points to it for the 800x800 model):
- backbone: torchvision ResNeXt50_32x4d (Xie et al. 2017, arXiv:1611.05431, Table 1), stride on the
  grouped 3x3 (torchvision resnet.py Bottleneck), FrozenBatchNorm2d (buffers, not parameters), no fc;
- FPN (model/backbone_utils.py resnet_fpn_backbone, returned_layers [2, 3, 4], 256 channels): a 1x1
  lateral and a 3x3 output conv per level C3..C5, then LastLevelP6P7(256, 256) (3x3 stride-2 convs
  from P5, model/feature_pyramid_network.py);
- head (model/retinanet.py): classification and regression towers of 4 3x3 256->256 convs, then
  3x3 convs to A*K = 9*264 and A*4 = 36 channels, shared over P3..P7; 9 anchors (3 sizes x 3
  ratios), num_classes 264 (train.py get_dataset_fn "openimages-mlperf").
Every conv has a bias except the backbone's. Layer outputs counted: every conv and the stem's max
pool (the ResNet rows' convention), not the FPN's upsample-and-add nor the anchor decoding and NMS.

Run: .venv/bin/python registry_data/research/r-mlpmodels/retinanet_layers.py
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Conv:
    c_in: int
    c_out: int
    k: int
    h_out: int
    groups: int = 1
    bias: bool = True
    batch_norm: bool = False     # a BatchNorm2d after it (2 x c_out trainable parameters in torchvision)

    @property
    def macs(self) -> int:
        return self.h_out * self.h_out * self.c_out * (self.c_in // self.groups) * self.k * self.k

    @property
    def params(self) -> int:
        return self.c_out * (self.c_in // self.groups) * self.k * self.k + (self.c_out if self.bias else 0)

    @property
    def outputs(self) -> int:
        return self.c_out * self.h_out * self.h_out


def conv_out(h: int, k: int, stride: int) -> int:
    """Side after a conv or pool with padding k // 2."""
    return (h + 2 * (k // 2) - k) // stride + 1


def resnet_backbone(side: int, groups: int, width_per_group: int) -> tuple[list[Conv], list[tuple[int, int]], int]:
    """torchvision ResNet-50 family (Bottleneck [3, 4, 6, 3], stride on the 3x3): the convs, the
    (channels, side) of C2..C5, and the max pool's output elements."""
    h = conv_out(side, 7, 2)
    convs = [Conv(3, 64, 7, h, bias=False, batch_norm=True)]
    h = conv_out(h, 3, 2)
    pool = 64 * h * h
    c_in, stages = 64, []
    for i, (planes, blocks) in enumerate(zip((64, 128, 256, 512), (3, 4, 6, 3))):
        width, c_out = planes * width_per_group * groups // 64, planes * 4
        for b in range(blocks):
            stride = 2 if (b == 0 and i > 0) else 1
            h_out = conv_out(h, 3, stride)
            convs += [Conv(c_in, width, 1, h, bias=False, batch_norm=True),
                      Conv(width, width, 3, h_out, groups=groups, bias=False, batch_norm=True),
                      Conv(width, c_out, 1, h_out, bias=False, batch_norm=True)]
            if b == 0:
                convs.append(Conv(c_in, c_out, 1, h_out, bias=False, batch_norm=True))   # projection shortcut
            c_in, h = c_out, h_out
        stages.append((c_out, h))
    return convs, stages, pool


def pyramid_sides(stages: list[tuple[int, int]]) -> list[int]:
    """Sides of P3..P7: those of C3..C5, then two 3x3 stride-2 convs."""
    sides = [h for _, h in stages[1:]]
    sides.append(conv_out(sides[-1], 3, 2))
    return [*sides, conv_out(sides[-1], 3, 2)]


def anchor_count(side: int, per_location: int = 9) -> int:
    """Anchors per image: per_location at every position of P3..P7."""
    return per_location * sum(h * h for h in pyramid_sides(resnet_backbone(side, 1, 64)[1]))


def retinanet(side: int, groups: int, width_per_group: int, num_classes: int,
              anchors: int = 9, fpn: int = 256) -> tuple[list[Conv], int]:
    """(convs, max-pool output elements) of a torchvision-style RetinaNet at side x side."""
    backbone, stages, pool = resnet_backbone(side, groups, width_per_group)
    sides = pyramid_sides(stages)
    convs = [Conv(c, fpn, 1, h) for c, h in stages[1:]] + [Conv(fpn, fpn, 3, h) for h in sides[:3]]
    convs += [Conv(fpn, fpn, 3, sides[3]), Conv(fpn, fpn, 3, sides[4])]  # P6 from P5, P7 from relu(P6)
    for h in sides:
        for out in (anchors * num_classes, anchors * 4):                  # classification, regression
            convs += [Conv(fpn, fpn, 3, h)] * 4 + [Conv(fpn, out, 3, h)]
    return backbone + convs, pool


def unique_params(convs: list[Conv], num_classes: int, anchors: int = 9, fpn: int = 256, levels: int = 5) -> int:
    """Parameters counted once: the head's convs are shared over the five levels."""
    per_level_head = 8 * Conv(fpn, fpn, 3, 1).params + Conv(fpn, anchors * num_classes, 3, 1).params \
        + Conv(fpn, anchors * 4, 3, 1).params
    return sum(c.params for c in convs) - (levels - 1) * per_level_head


def mlperf_retinanet() -> dict[str, float]:
    """The catalog figures of MLPerf's RetinaNet at 800x800."""
    convs, pool = retinanet(800, 32, 4, 264)
    return {"params": unique_params(convs, 264), "macs": sum(c.macs for c in convs),
            "activation_elements": sum(c.outputs for c in convs) + pool, "convs": len(convs)}


if __name__ == "__main__":
    r = mlperf_retinanet()
    print(f"MLPerf RetinaNet 800x800: {r['params']:,} parameters, {r['macs'] / 1e9:.3f} GMACs "
          f"({2 * r['macs'] / 1e9:.2f} GFLOP), {r['activation_elements']:,} layer output elements, "
          f"{r['convs']} conv calls")
