"""Wall 14 in the serving study (pipeline.walls.serving_communication): the two per-phase columns the TP time, its
alpha and its socket part all read, ``<phase>_tp_runs_one_shot`` and ``<phase>_tp_pcie_beta_bytes_per_s``, against
hand calculations. One-shot: vLLM's 8 MiB / 8-rank limit (custom_all_reduce.py), alpha + (n-1) M / beta against
NCCL's ring 2(n-1) alpha + 2(n-1)/n M / beta. PCIe: NCCL's ring at min(link x eta_link, CPU interconnect) once it
spans sockets (topo.cc), LL / Simple fixed times of tuning.cc (baseLat 6.6 / 8.4 us, hwLat[PCI] 1.0 / 5.7 us)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline import formulas
from pipeline.catalogs.collective_fits import ALLREDUCE_UNITS
from pipeline.studies.serving import FORMULAS
from pipeline.units import unit
from pipeline.walls.communication import ALLREDUCE_FIT_COLUMNS, PCIE_COLUMNS

OUT = ["decode_tp_runs_one_shot", "decode_tp_pcie_beta_bytes_per_s", "decode_tp_alpha_s", "decode_tp_socket_time_s",
       "decode_tp_comm_time_s", "decode_tp_nccl_all_reduce_s"]


def run(tokens: list[float], link: float, eta: float, latency: float, max_bytes: list, max_ranks: list,
        socket_ranks: list, socket_bw: list) -> tuple[pl.DataFrame, dict]:
    """Decode on 8 ranks of an 80-layer d_model 8192 model in 16 bits (1 token: 16,384 B a message); one-shot alpha
    6 us (10 x 0.6 us) at 0.8 of the link; no fitted collectives, so NCCL at the link latency and link x eta."""
    n = len(tokens)
    cols = {"n_layers": ([80.0] * n, ""), "tp": ([8.0] * n, ""), "decode_tokens": (tokens, "tok"),
            "d_model": ([8192.0] * n, ""), "bytes_per_element": ([2.0] * n, "B/elem"),
            "scaleup_link_latency_s": ([latency] * n, "s"), "scaleup_link_bandwidth_bytes_per_s": ([link] * n, "B/s"),
            "eta_link": ([eta] * n, ""), "custom_allreduce_max_bytes": (max_bytes, "B"),
            "custom_allreduce_max_ranks": (max_ranks, ""), "custom_allreduce_alpha_ratio": ([10.0] * n, ""),
            "custom_allreduce_link_fraction": ([0.8] * n, "")}
    cols |= {c: ([None] * n, ALLREDUCE_UNITS[c]) for c in ALLREDUCE_FIT_COLUMNS}
    cols |= {PCIE_COLUMNS[0]: (socket_ranks, ALLREDUCE_UNITS[PCIE_COLUMNS[0]]),
             PCIE_COLUMNS[1]: (socket_bw, ALLREDUCE_UNITS[PCIE_COLUMNS[1]])}
    f = pl.DataFrame({k: v for k, (v, _) in cols.items()}, schema={k: pl.Float64 for k in cols})
    plan = formulas.plan(f.lazy(), {k: unit(u) for k, (_, u) in cols.items()}, OUT, FORMULAS)
    return plan.frame.collect(), plan.units


def test_one_shot_choice_at_known_sizes_and_ranks():
    """NVLink, 450 GB/s, 0.6 us, eta 0.7. 16 KiB: one-shot 6 us + 7 x 16384 / 360 GB/s = 6.3186 us < NCCL 14 x
    0.6 us + 1.75 x 16384 / 315 GB/s = 8.4910 us: one-shot. 4 MiB (256 tokens): one-shot 6 + 7 x 4 MiB / 360 GB/s
    = 87.56 us > NCCL 8.4 + 1.75 x 4 MiB / 315 GB/s = 31.70 us: NCCL. 16 KiB but a 4-rank limit, or no limit: NCCL."""
    out, units = run([1.0, 256.0, 1.0, 1.0], 450e9, 0.7, 0.6e-6, [8 * 2**20, 8 * 2**20, 8 * 2**20, None],
                     [8.0, 8.0, 4.0, None], [None] * 4, [None] * 4)
    assert out["decode_tp_runs_one_shot"].to_list() == [True, False, False, False]
    assert units["decode_tp_runs_one_shot"] is None  # a flag, no unit
    one_shot = 6e-6 + 7 * 16384 / 360e9
    nccl_small, nccl_big = 8.4e-6 + 1.75 * 16384 / 315e9, 8.4e-6 + 1.75 * 4194304 / 315e9
    assert round(one_shot * 1e6, 4) == 6.3186 and round(nccl_small * 1e6, 4) == 8.4910
    assert round(nccl_big * 1e6, 2) == 31.70 < round((6e-6 + 7 * 4194304 / 360e9) * 1e6, 2) == 87.56
    assert out["decode_tp_comm_time_s"].to_list() == pytest.approx([160 * one_shot, 160 * nccl_big,
                                                                    160 * nccl_small, 160 * nccl_small], rel=1e-9)
    # wall 21's alpha: one-shot's 6 us over 14 ring steps, else NCCL's 0.6 us a step; off PCIe no socket part
    assert out["decode_tp_alpha_s"].to_list() == pytest.approx([6e-6 / 14, 0.6e-6, 0.6e-6, 0.6e-6], rel=1e-9)
    assert out["decode_tp_pcie_beta_bytes_per_s"].to_list() == pytest.approx([315e9] * 4, rel=1e-12)
    assert out["decode_tp_socket_time_s"].to_list() == [0.0] * 4


def test_pcie_ring_beta_under_the_socket_cap():
    """8 x PCIe Gen4 (32 GB/s x 0.82 = 26.24 GB/s, 1.0 us), 4 MiB (256 tokens), no custom kernel. 4 ranks a socket,
    16 GB/s between sockets: beta min(26.24, 16) = 16 GB/s; NCCL takes Simple (88.2 us + 1.75 x 4 MiB / 16 GB/s =
    547.0 us, LL 20.6 us + 1.75 x 4 MiB / 8 GB/s = 938.1 us), its alpha 88.2 us / 14 steps, and the socket part
    80 x 2 x 1.75 x 4 MiB / 16 GB/s = 73.4 ms. 8 ranks a socket, or no socket figure: the link's 26.24 GB/s, no
    socket part."""
    out, units = run([256.0] * 3, 32e9, 0.82, 1e-6, [None] * 3, [None] * 3, [4.0, 8.0, 4.0], [16e9, 16e9, None])
    assert units["decode_tp_pcie_beta_bytes_per_s"] == unit("B/s")
    assert out["decode_tp_pcie_beta_bytes_per_s"].to_list() == pytest.approx([16e9, 26.24e9, 26.24e9], rel=1e-12)
    assert out["decode_tp_runs_one_shot"].to_list() == [False] * 3
    simple = 88.2e-6 + 1.75 * 4194304 / 16e9
    assert round(simple * 1e6, 1) == 547.0 < round((20.6e-6 + 1.75 * 4194304 / 8e9) * 1e6, 1) == 938.1
    assert out["decode_tp_nccl_all_reduce_s"][0] == pytest.approx(simple, rel=1e-12)
    assert out["decode_tp_alpha_s"][0] == pytest.approx(88.2e-6 / 14, rel=1e-12)
    socket = 160 * 1.75 * 4194304 / 16e9
    assert round(socket * 1e3, 1) == 73.4
    assert out["decode_tp_socket_time_s"].to_list() == pytest.approx([socket, 0.0, 0.0], rel=1e-12)
