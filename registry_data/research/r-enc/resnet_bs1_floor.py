"""Issue 12 (r-enc), diagnosis only: ResNet-50 int8 at batch 1 per layer, time_i = max(floor, compute_i, memory_i),
and the per-kernel floor that would reproduce each single-stream row. A floor that differs between accelerators
does not carry over; nothing here is applied or written to a catalog.

compute_i = 2 M N K / (peak x eta), memory_i = (N K weights + input + output activations) x 1 B / bandwidth, with the
layer shapes of r-node/resnet50_conv_gemms.py (He et al. 2016 Table 1, v1.5); input activations C x H_in x W_in,
output N x P x Q. Peaks, bandwidths and η are the node study's for these rows (`mlsys evaluate --model ResNet-50
--hardware H --batch 1 --compute-dtype int8 --json`: peak_flop_per_s, memory_bandwidth_bytes_per_s, eta_compute).
Run: .venv/bin/python registry_data/research/r-enc/resnet_bs1_floor.py"""
import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("conv", HERE.parent / "r-node" / "resnet50_conv_gemms.py")
conv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(conv)

# name: (int8 peak FLOP/s, bandwidth B/s, eta, measured single-stream latencies s (rows of measurements.parquet))
ROWS = {"A100 SXM4 80GB": (624e12, 2.039e12, 0.275, [380e-6, 457.245e-6]),
        "L4": (242.5e12, 300e9, 0.3, [348.735e-6])}


def layer_times(peak: float, bandwidth: float, eta: float) -> list[tuple[float, float]]:
    """(compute, memory) seconds per layer at batch 1."""
    out = []
    for pq, n, k in conv.layers():
        # 1x1: K = C, reads C x P x Q; 3x3: K = 9 C, reads ~C x P x Q (stride ignored); conv1: the 3 x 224 x 224 image
        activations_in = 3 * 224 * 224 if k == 3 * 7 * 7 else (k * pq if k < 9 * n else k // 9 * pq)
        out.append((2 * pq * n * k / (peak * eta), (n * k + activations_in + n * pq) / bandwidth))
    return out


def latency(times: list[tuple[float, float]], floor: float) -> float:
    return sum(max(floor, c, m) for c, m in times)


def floor_for(times: list[tuple[float, float]], target: float) -> float:
    """Bisection on the floor: latency is non-decreasing in it."""
    lo, hi = 0.0, target
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if latency(times, mid) < target else (lo, mid)
    return (lo + hi) / 2


if __name__ == "__main__":
    for name, (peak, bandwidth, eta, measured) in ROWS.items():
        times = layer_times(peak, bandwidth, eta)
        print(f"{name}: {len(times)} layers, roofline sum {latency(times, 0.0) * 1e6:.1f} us, "
              + ", ".join(f"floor {floor_for(times, t) * 1e6:.2f} us for {t * 1e6:.0f} us" for t in measured))
