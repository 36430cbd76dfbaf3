"""Wall 6 (streaming): weights that do not fit in device memory streamed from host memory
over the host link once per pass, when the spec allows it."""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, where
from pipeline.walls.registries import serving_column


@serving_column
def weight_streaming(fits_in_hbm: Plain, allow_weight_streaming: Plain, memory_headroom_bytes: UExpr,
                     weights_per_device_bytes: UExpr, host_link_bandwidth_bytes_per_s: UExpr) -> Plain:
    """Weights that do not fit stream from host memory, if the spec allows it, the rest (KV cache,
    activations, reserve) fits, and the host link is published."""
    rest_fits = (memory_headroom_bytes + weights_per_device_bytes) >= lit(0.0, "B")
    return ~fits_in_hbm & allow_weight_streaming & rest_fits & host_link_bandwidth_bytes_per_s.is_not_null()


@serving_column
def weight_stream_time_s(weight_streaming: Plain, weights_per_device_bytes: UExpr,
                         host_link_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """Streamed weights cross the host link once per pass: bytes / host bandwidth."""
    return where(weight_streaming, (weights_per_device_bytes / host_link_bandwidth_bytes_per_s).to("s"), 0)


@serving_column
def streaming_binds(weight_streaming: Plain, weight_stream_time_s: UExpr, decode_operators_time_s: UExpr) -> Plain:
    """The host link, not the operators (``serving``'s decode pass), sets a streaming decode pass's time."""
    return weight_streaming & (weight_stream_time_s > decode_operators_time_s)
