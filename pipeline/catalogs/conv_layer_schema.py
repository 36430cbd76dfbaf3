"""The conv_layers catalog: a CNN's convolutions (and its classifier) as implicit GEMMs, one row per distinct shape,
so that the node study prices a graphed CNN step kernel by kernel (``pipeline.walls.graph_convs``) instead of its
FLOPs at one ceiling. An implicit-GEMM convolution computes C[M, N] = A[M, K] x B[K, N] with M = the output
positions (H_out x W_out per image), N = the output channels and K = the input channels per group x the kernel's
area (NVIDIA "Convolutional Layers User's Guide", convolution as GEMM; cuDNN / CUTLASS implicit GEMM). What the
engine reads and writes per output position is the row's own (a fused kernel keeps its inner activations on chip)."""

from __future__ import annotations

from pipeline.catalogs.fields import Provenance, count, text


class ConvLayerSchema(Provenance):
    """One row per distinct convolution shape of a models catalog CNN at its reference input size."""

    name: str = text("shape id (model and shape)", unique=True)
    model: str = text("a models catalog name")
    positions: int = count("output positions per image, H_out x W_out: the implicit GEMM's M for one image")
    out_channels: int = count("output channels: the GEMM's N")
    reduction: int = count("input channels per group x kernel height x kernel width: the GEMM's K")
    in_channels: int = count("input channels of the convolution")
    read_channels: int = count("input channels the engine reads from memory at each output position (in_channels; "
                               "0 where the input stays on chip inside a fused kernel)", ge=0)
    written_channels: int = count("output channels the engine writes to memory at each output position "
                                  "(out_channels; 0 where the output stays on chip inside a fused kernel)", ge=0)
    count: int = count("convolutions of this shape in one forward pass")

    class Config:
        name = "conv_layers"
