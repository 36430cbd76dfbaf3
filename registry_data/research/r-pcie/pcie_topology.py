"""r-pcie: the hardware catalog's PCIe topology fields (issue 12, collectives without NVLink). Re-runnable on main:

    .venv/bin/python registry_data/research/r-pcie/pcie_topology.py [REGISTRY_DIR]

Adds (null where absent) `scaleup_pcie_ranks_per_socket` and `scaleup_socket_bandwidth_bytes_per_s` to
registry_data/hardware.parquet and sets them on the rows of PCIE_ROWS, appending their sources to the row's notes
once (a second run changes nothing). Every other row keeps null: its scale-up domain is NVLink / xGMI / ICI, or one
device.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import catalog_path, write_catalog

NCCL = "https://github.com/NVIDIA/nccl/blob/5067397c2676d5aed50042fc39e5c8ee96eb0027"
MLPERF_L40S = ("https://github.com/mlcommons/inference_results_v4.0/blob/3c4a1cf196b70175cfe7c59e067cd1d923aa4f3f/"
               "closed/NVIDIA/systems/L40Sx8_TRT.json")
MARK = "[r-pcie 2026-12-05]"
PCIE_ROWS = {
    "L40S": (4, 16e9, (
        f"{MARK} scaleup_pcie_ranks_per_socket = 4: NVIDIA's own 8 x L40S system (MLPerf Inference v4.0, "
        f"{MLPERF_L40S}: "
        "'ASROCKRACK 4U8G-ROME2/4E (8x L40S, TensorRT)', host_processors_per_node 2, 'AMD EPYC 7742 64-Core "
        "Processor', accelerator_host_interconnect 'PCIe Gen4 x16', accelerator_interconnect 'N/A', 'Data bandwidth "
        "for GPU-PCIe: 252 GB/s' = 8 x 31.5 GB/s: every GPU on its own x16 of the CPUs' lanes); 8 GPUs on 2 sockets "
        "taken as 4 per socket (the board's slot map not read). scaleup_socket_bandwidth_bytes_per_s = 16 GB/s: "
        f"NCCL's inter-socket bandwidth of any AMD x86 CPU, AMD_BW 16.0 ({NCCL}/src/graph/topo.h; "
        f"ncclTopoGetInterCpuBw in {NCCL}/src/graph/topo.cc), the figure NCCL's ring search gives the xGMI link a "
        "ring crosses once each way when it spans the two sockets. Cross-checks (research/r-pcie/pcie_points.csv): "
        "8 x RTX PRO 6000 (Gen5) on 2 x EPYC 9575F, 8-GPU ring 21.1 GB/s busbw (NVIDIA/nccl PR 2036); 8 x RTX 5090 "
        "on 2 x Xeon 8480+, 28 GB/s vs 35 GB/s on 4 (NVIDIA/nccl issue 1639).")),
}


def main(registry: Path | None = None) -> Path:
    path = catalog_path("hardware", registry)
    table = pl.read_parquet(path)
    for column, dtype in (("scaleup_pcie_ranks_per_socket", pl.Int64),
                          ("scaleup_socket_bandwidth_bytes_per_s", pl.Float64)):
        if column not in table.columns:
            table = table.with_columns(pl.lit(None, dtype=dtype).alias(column))
    missing = sorted(set(PCIE_ROWS) - set(table["name"]))
    if missing:
        raise ValueError(f"hardware: no row named {missing} (r-pcie/pcie_topology.py PCIE_ROWS)")
    for name, (ranks, socket_bw, note) in PCIE_ROWS.items():
        row = pl.col("name") == name
        table = table.with_columns(
            scaleup_pcie_ranks_per_socket=pl.when(row).then(pl.lit(ranks, dtype=pl.Int64))
            .otherwise(pl.col("scaleup_pcie_ranks_per_socket")),
            scaleup_socket_bandwidth_bytes_per_s=pl.when(row).then(pl.lit(socket_bw))
            .otherwise(pl.col("scaleup_socket_bandwidth_bytes_per_s")),
            notes=pl.when(row & ~pl.col("notes").str.contains(MARK, literal=True))
            .then(pl.col("notes") + " | " + note).otherwise(pl.col("notes")))
    return write_catalog(table, "hardware", registry, source="r-pcie/pcie_topology.py")


if __name__ == "__main__":
    print(main(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
