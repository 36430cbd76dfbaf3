"""Add to the clusters catalog the two systems two MLPerf Training v5.1 llama2_70b_lora rows ran on, each read from
the submission's own system description JSON (mlcommons/training_results_v5.1 at V51):

- AMD's one-node MI350X system (AMD/systems/MI350X_EPYC_9575F_pytorch.json), in the catalog's one-node convention
  (the v5.0 MI325X QuantaGrid row: host networking as the NIC, no scale-out latency, no collective crosses it);
- NVIDIA's Theia, 8x GB300 NVL72 (NVIDIA/systems/theia_ngpu512_ngc25.09_nemo.json): 128 nodes of 4 GPUs, the NVL72
  NVLink domain, 4x ConnectX-8 InfiniBand XDR 800 Gb/s per node.

A row of that name already in the catalog is replaced by this one, every other row is left as it is: a second run
changes nothing.

    .venv/bin/python registry_data/research/r-lorarows/clusters.py [REGISTRY]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

REGISTRY = Path(__file__).parent.parent.parent
VERIFIED = dt.date(2026, 12, 7)
V51 = "https://github.com/mlcommons/training_results_v5.1/blob/4da2d1cd71eb30c855dad12712480ae5ac90dd89/"
NCCL = ("scaleout_latency_s = 2.7e-6 s: NCCL cost-model constant hwLat[NCCL_HW_NET][RING][LL] = 2.7 us "
        "(https://github.com/NVIDIA/nccl/blob/b6475625fbcaa2c3c0e50eed2fa1255d7514d4a2/src/graph/tuning.cc), the value "
        "and rationale of the other NCCL-over-network rows; a library model constant, not a measured latency of this "
        "fabric.")

MI350X = "AMD SMCI350X (AS-8126GS-TNMR), 8x MI350X (MLPerf Training v5.1, one node)"
THEIA = "NVIDIA Theia, 8x GB300 NVL72 (MLPerf Training v5.1, 128 nodes)"

ROWS = [
    {"source_url": V51 + "AMD/systems/MI350X_EPYC_9575F_pytorch.json", "last_verified": VERIFIED,
     "notes": ("MLPerf Training v5.1 system description (AMD/systems/MI350X_EPYC_9575F_pytorch.json): system_name "
               "'SMCI350X (AS -8126GS-TNMR)' (line 49), number_of_nodes '1' (line 38), accelerators_per_node '8' "
               "(line 10), accelerator_interconnect 'XGMI' (line 4: the 8 GPUs are one scale-up domain), "
               "host_network_card_count '6 x 40Gbit/s, 4 x 10Gbit/s' (line 20; the six 40 Gb/s ports taken as the "
               "NICs). One node, the catalog's one-node convention (the v5.0 MI325X QuantaGrid row): the scale-out "
               "fields describe the host NICs only and no collective crosses them; scale-out latency not stated -> "
               "empty. Oversubscription, storage, MTBF: not stated -> empty."),
     "source_quality": "primary", "name": MI350X, "accelerator": "MI350X", "accelerators_per_node": 8, "nodes": 1,
     "scaleup_domain_size": 8, "fabric": "40G Ethernet (host networking; one node, no scale-out)",
     "nic_bandwidth_bits_per_s": 40e9, "nics_per_node": 6, "scaleout_latency_s": None},
    {"source_url": V51 + "NVIDIA/systems/theia_ngpu512_ngc25.09_nemo.json", "last_verified": VERIFIED,
     "notes": ("MLPerf Training v5.1 system description (NVIDIA/systems/theia_ngpu512_ngc25.09_nemo.json): "
               "system_name 'Theia (8x NVIDIA GB300 NVL72)' (line 5), number_of_nodes '128' (line 6), "
               "accelerators_per_node '4' (line 20), host_networking '4x ConnectX-8 IB XDR 800 Gb/s' (line 17), "
               "accelerator_interconnect 'NVLINK Gen5 1800 GB/s + NVSWITCH Gen5' (line 27): the NVL72 rack's 72-GPU "
               "NVLink domain (system name). The run used 512 GPUs = 128 x 4 of the 8 racks' 576. " + NCCL
               + " Oversubscription, storage, MTBF: not stated -> empty."),
     "source_quality": "primary", "name": THEIA, "accelerator": "GB300 NVL72 GPU", "accelerators_per_node": 4,
     "nodes": 128, "scaleup_domain_size": 72, "fabric": "InfiniBand XDR", "nic_bandwidth_bits_per_s": 800e9,
     "nics_per_node": 4, "scaleout_latency_s": 2.7e-6},
]


def added(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` without rows named as ROWS, then ROWS, in the catalog's columns and types."""
    new = pl.DataFrame(ROWS).with_columns(
        *(pl.lit(None, frame.schema[c]).alias(c) for c in frame.columns
          if c not in ROWS[0])).select(frame.columns).cast(frame.schema)
    return pl.concat([frame.filter(~pl.col("name").is_in([r["name"] for r in ROWS])), new])


def apply(registry: Path = REGISTRY) -> int:
    path = registry / "clusters.parquet"
    write_catalog(added(pl.read_parquet(path)), "clusters", registry, source=f"{path} after r-lorarows/clusters.py")
    return len(ROWS)


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "clusters written")
