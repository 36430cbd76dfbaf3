"""The map ``mlsys sweep`` prints for a node run: one column per accelerator group, and the fewest
devices of a group for a model that fits none of its devices alone."""

from __future__ import annotations

import pipeline
from pipeline.report.vendor_map import OTHER, vendor_map


def test_groups_and_fewest_devices(tmp_path):
    run = pipeline.run_sweep({"axes": {
        "hardware": ["H100 SXM5 80GB", "MI300X", "T4", "Xeon Platinum 8480+"],
        "model": ["Llama 3.1 405B", "Llama 3 8B", "ResNet-50"], "batch": [1], "seq_len": [2048],
        "workload": ["inference"], "compute_dtype": ["fp16", "fp8"]}}, tmp_path)
    grid, context = vendor_map(run)
    assert context == 2048
    assert grid.columns == ["model", "step", "NVIDIA", "AMD", OTHER]  # T4 is an NVIDIA datacenter part
    rows = {(r["model"], r["step"]): r for r in grid.to_dicts()}
    assert set(rows) == {("Llama 3 8B", "decode"), ("Llama 3.1 405B", "decode"), ("ResNet-50", "forward")}
    # Llama 3.1 405B in fp8 holds ~405e9 B of weights. An H100 has 80 GiB = 85.9e9 B: 4 devices leave
    # 101e9 B each, too much, 8 leave 51e9 B plus ~0.07e9 B of KV (126 layers x 8 KV heads x 128 x 2 x 1 B
    # x 2048 tokens / 8). An MI300X has 192 GiB = 206e9 B: 2 devices leave 203e9 B, above the usable
    # memory; 4 leave 101e9 B.
    big = rows[("Llama 3.1 405B", "decode")]
    assert big["NVIDIA"].startswith("8 x H100 SXM5 80GB fp8")
    assert big["AMD"].startswith("4 x MI300X fp8 (tp 4, pp 1)")
    assert big[OTHER].startswith("Xeon Platinum 8480+")  # its own column: the CPU never wins a GPU's cell
    # an 8B model at batch 1 decodes from one device: bandwidth decides (MI300X 5.3 TB/s > H100 3.35 TB/s)
    small = rows[("Llama 3 8B", "decode")]
    assert small["NVIDIA"].startswith("H100 SXM5 80GB") and small["AMD"].startswith("MI300X")
    assert float(small["AMD"].split("\n")[1].split(" ms")[0]) < float(small["NVIDIA"].split("\n")[1].split(" ms")[0])
