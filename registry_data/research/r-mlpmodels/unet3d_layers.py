"""MLPerf's 3D-UNet (KiTS19) per 128^3 sub-volume: parameters, multiply-accumulates and layer output elements
(issue 12). Derived, not catalogued: the node study cannot yet price this network (README.md here says why).

Architecture (mlcommons/training aa344c7f, retired_benchmarks/unet3d/pytorch/model/unet3d.py and layers.py,
the model MLPerf Inference's 3d-unet-kits19 was trained with): filters [32, 64, 128, 256, 320]; an input
block of two 3x3x3 convs; four down blocks (3x3x3 stride 2, then 3x3x3) and a bottleneck down block at 320;
five up blocks (2x2x2 stride-2 transposed conv with bias, concatenation with the skip, two 3x3x3 convs on
2x and 1x the channels); a 1x1x1 output conv with bias to 3 classes; 1 input channel. Every 3x3x3 conv is
bias-free and followed by InstanceNorm3d(affine) and ReLU. Layer outputs counted: every conv and transposed
conv (the concatenations and norms are not layers of their own here).

Run: .venv/bin/python registry_data/research/r-mlpmodels/unet3d_layers.py
"""

from __future__ import annotations

FILTERS = [32, 64, 128, 256, 320]


def conv3d(c_in: int, c_out: int, k: int, side_out: int, bias: bool, norm: bool) -> dict[str, int]:
    """One 3-D conv (or a k=2 stride-2 transposed conv, whose MACs per output voxel are c_in x c_out x 1)."""
    taps = k**3 if k != 2 else 1
    return {"macs": side_out**3 * c_out * c_in * taps, "outputs": c_out * side_out**3,
            "params": c_out * c_in * k**3 + (c_out if bias else 0) + (2 * c_out if norm else 0)}


def layers(side: int = 128, in_channels: int = 1, classes: int = 3) -> list[dict[str, int]]:
    out = [conv3d(in_channels, FILTERS[0], 3, side, False, True), conv3d(FILTERS[0], FILTERS[0], 3, side, False, True)]
    sides = [side]
    for c_in, c_out in zip(FILTERS[:-1], FILTERS[1:]):
        sides.append(sides[-1] // 2)
        out += [conv3d(c_in, c_out, 3, sides[-1], False, True), conv3d(c_out, c_out, 3, sides[-1], False, True)]
    bottom = sides[-1] // 2
    out += [conv3d(FILTERS[-1], FILTERS[-1], 3, bottom, False, True),
            conv3d(FILTERS[-1], FILTERS[-1], 3, bottom, False, True)]
    ups = [(FILTERS[-1], FILTERS[-1])] + list(zip(reversed(FILTERS[1:]), reversed(FILTERS[:-1])))
    for (c_in, c_out), s in zip(ups, reversed(sides)):
        out += [conv3d(c_in, c_out, 2, s, True, False), conv3d(2 * c_out, c_out, 3, s, False, True),
                conv3d(c_out, c_out, 3, s, False, True)]
    return out + [conv3d(FILTERS[0], classes, 1, side, True, False)]


def mlperf_unet3d() -> dict[str, int]:
    ls = layers()
    return {"params": sum(x["params"] for x in ls), "macs": sum(x["macs"] for x in ls),
            "activation_elements": sum(x["outputs"] for x in ls), "convs": len(ls)}


if __name__ == "__main__":
    r = mlperf_unet3d()
    print(f"MLPerf 3D-UNet per 128^3 sub-volume: {r['params']:,} parameters, {r['macs'] / 1e9:.1f} GMACs "
          f"({2 * r['macs'] / 1e9:.1f} GFLOP), {r['activation_elements']:,} layer output elements, {r['convs']} convs")
