"""The wall's PCIe all-reduce (pipeline.walls.pcie_collectives through communication.scaleup_all_reduce_s) against the
published PCIe all-reduce points of pcie_points.csv: a check, nothing is fitted to them. Run from the repository root:

    .venv/bin/python registry_data/research/r-pcie/check_points.py

Link per direction: PCIe Gen4 x16 32 GB/s, Gen5 64 GB/s, x the default eta_link 0.82; per-step latency NCCL's
hwLat[PCI][RING][LL] 1.0 us; CPU interconnect NCCL's ncclTopoGetInterCpuBw figure for the host (topo.h at 5067397c:
AMD_BW 16, SRP_QPI_BW 22 GB/s); ranks per socket: the ranks on one socket in the source (half of 8 where 8 span two).
Rows without a message size (a peak over 1-8 GiB) are priced at 4 GiB; the 8-byte rows give the latency alone.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.units import col
from pipeline.walls.communication import scaleup_all_reduce_s

LINK = {4: 32e9, 5: 64e9}
ETA_LINK = 0.82  # efficiency_profiles "default" eta_link
SOCKET = {"AMD": 16e9, "Intel Xeon 8480+": 22e9}  # NCCL topo.h AMD_BW, SRP_QPI_BW (Sapphire Rapids)


def main() -> None:
    points = pl.read_csv(Path(__file__).with_name("pcie_points.csv"))
    cpu = pl.col("host_cpu").fill_null("")
    frame = points.with_columns(
        n=pl.col("ranks").cast(pl.Float64), m=pl.col("message_bytes").cast(pl.Float64).fill_null(4 * 2.0**30),
        lat=pl.lit(1e-6), b=pl.col("link_gen").replace_strict(LINK, return_dtype=pl.Float64) * ETA_LINK,
        socket_ranks=pl.when(pl.col("sockets_spanned") == 2).then(pl.col("ranks") / 2).otherwise(pl.col("ranks"))
        .cast(pl.Float64),
        socket_bw=pl.when(cpu.str.contains("AMD")).then(SOCKET["AMD"])
        .when(cpu.str.contains("8480")).then(SOCKET["Intel Xeon 8480+"]).otherwise(None))
    t = scaleup_all_reduce_s(col("n", ""), col("m", "B"), col("lat", "s"), col("b", "B/s"), col("socket_ranks", ""),
                             col("socket_bw", "B/s"))
    out = frame.with_columns(predicted_us=t.magnitude("s") * 1e6).with_columns(
        predicted_busbw_GBps=pl.col("m") / (pl.col("predicted_us") * 1e-6) * 2 * (pl.col("n") - 1) / pl.col("n") / 1e9)
    pl.Config.set_tbl_rows(30)
    pl.Config.set_tbl_width_chars(200)
    print(out.select("point_id", "p2p", "ranks", "message_bytes", "time_us", "predicted_us", "busbw_GBps",
                     pl.col("predicted_busbw_GBps").round(2)))


if __name__ == "__main__":
    main()
