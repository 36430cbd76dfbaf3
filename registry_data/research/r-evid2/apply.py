"""State what the primary sources state for measurement rows that were not predicted (issue 12): the
parallel layout of five MLPerf Training llama2_70b_lora rows (their result logs or the submission's
config), the clusters of six MLPerf Training rows that named none (Google's multislice TPU jobs, AMD's
one-node MI325X system) and the layout and precision those TPU/MI325X submissions ran.

Every value below is cited to the file and line that states it (mlcommons/training_results_v3.1 d06288b2,
v4.1 b87b9e39, v5.0 0fdc28f0, read with ``git show <commit>:<path>``). Only the rows and columns listed
here are written, so this script and r-feas2 replay in either order; the source is appended to a row's
notes once, and clusters of the same names are replaced, so a second run changes nothing. Run from the
repository root:

    .venv/bin/python registry_data/research/r-evid2/apply.py [registry_dir]
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
VERIFIED = datetime.date(2026, 12, 3)
V31 = "https://github.com/mlcommons/training_results_v3.1/blob/d06288b2bd675a9d88e0e6181f5bb5626b71ec19/"
V41 = "https://github.com/mlcommons/training_results_v4.1/blob/b87b9e396f771345d4ef122ba33456304f15228d/"
V50 = "https://github.com/mlcommons/training_results_v5.0/blob/0fdc28f013256aea84fa36fdaf1e0fa46094b18c/"
LORA = "/llama2_70b_lora/"
TRILLIUM = V41 + "Google/benchmarks/gpt3/implementations/maxtext/cloud-tpu-trillium/"
PAX = V31 + "Google/benchmarks/gpt3/implementations/PAX/"
HPE_LOG = f"{V50}HPE/results/HPE-Cray-XD670-H200-SXM5-141GB_n4_24.09{LORA}result_1.txt"
B200_NEMO = V50 + "Supermicro/benchmarks/llama2_70b_lora/implementations/b200_nemo/"
MI325X = V50 + "AMD/benchmarks/llama2_70b_lora/implementations/MI325X_EPYC_9575F_pytorch/config_MI325X_1x8x1.sh"


def _lines(url: str, cells: dict[str, tuple[object, int]]) -> list[tuple[str, object, str]]:
    """(column, value, url#Lline) for each column stated on one line of one file."""
    return [(column, value, f"{url}#L{line}") for column, (value, line) in cells.items()]


def _log_layout(url: str, tp: tuple[int, int], pp: tuple[int, int], cp: tuple[int, int], mbs: tuple[int, int],
                sp: tuple[int, int]) -> list[tuple[str, object, str]]:
    """NeMo's resolved config printed by rank 0 in the result log: (value, line) of each model: key."""
    return _lines(url, {"tp": tp, "pp": pp, "cp": cp, "microbatch": mbs, "sequence_parallel": (bool(sp[0]), sp[1])})


def _log_fp8(url: str, fp8: int, dpa: bool, act: bool) -> list[tuple[str, object, str]]:
    """The same dump's FP8 keys: fp8 (line ``fp8``), fp8_params (next line), fp8_dot_product_attention and
    activation_func_fp8_input_store (consecutive, 9 lines after fp8)."""
    return _lines(url, {"compute_dtype": ("fp8", fp8), "fp8_params": (True, fp8 + 1),
                        "fp8_dot_product_attention": (dpa, fp8 + 9), "activation_func_fp8_input_store": (act, fp8 + 10)})


def _oracle(nodes: int, first: int, fp8: int) -> list[tuple[str, object, str]]:
    url = f"{V41}Oracle/results/{nodes * 8}xBM.GPU.H100.8{LORA}result_0.txt"
    return [*_log_layout(url, (4, first), (1, first + 1), (2, first + 2), (1, first + 6), (1, first + 14)),
            *_log_fp8(url, fp8, False, False)]


def _trillium(chips: int) -> list[tuple[str, object, str]]:
    """MaxText's GPT-3 run script: ici_fsdp_parallelism=-1 (every chip of a slice shards weights, gradients
    and optimizer state: ZeRO-3; no ici_tensor_parallelism, so tp 1), remat_policy=full; DCN data parallel
    across the v6e-256 slices (xpk_run.sh DEVICE_TYPE=v6e-256, NUM_SLICES = chips / 256)."""
    script = f"{TRILLIUM}trillium-{chips}.sh"
    return [("cluster", f"Google Cloud TPU v6e Trillium multislice ({chips // 256} x 256 chips)",
             f"{TRILLIUM}xpk_run.sh#L13"), *_lines(script, {"tp": (1, 44), "zero_stage": (3, 44),
                                                            "recompute": ("full", 45)})]


PATCHES: dict[str, list[tuple[str, object, str]]] = {
    # llama2_70b_lora: the log's GBS / gradient_accumulation_steps fix dp x microbatch; the layout is the
    # config the log names or prints
    "mlperf-train-v4.1-oracle-128xbm.gpu.h100.8-llama2-70b-lora-throughput": _oracle(16, 358, 385),
    "mlperf-train-v4.1-oracle-512xbm.gpu.h100.8-llama2-70b-lora-throughput": _oracle(64, 1222, 1249),
    "mlperf-train-v5.0-hpe-hpe-cray-xd670-h200-sxm5-141gb-n4-24.09-llama2-70b-lora-throughput": [
        *_log_layout(HPE_LOG, (4, 259), (1, 260), (1, 261), (1, 265), (1, 273)), *_log_fp8(HPE_LOG, 286, True, True)],
    "mlperf-train-v5.0-asustek-esc-n8-e11-n2-llama2-70b-lora-throughput": [
        *_lines(f"{V50}ASUSTeK/benchmarks/llama2_70b_lora/implementations/pytorch/configs/config_ESC_N8_H200_n2.sh",
                {"tp": (2, 23), "cp": (1, 24)}),
        *_lines(f"{V50}ASUSTeK/benchmarks/llama2_70b_lora/implementations/pytorch/configs/config_common.sh",
                {"pp": (1, 46), "sequence_parallel": (True, 47), "microbatch": (1, 50), "fp8_params": (True, 40)}),
        *_lines(f"{V50}ASUSTeK/benchmarks/llama2_70b_lora/implementations/pytorch/configs/config_ESC_N8_H200_n2.sh",
                {"fp8_dot_product_attention": (True, 31), "activation_func_fp8_input_store": (True, 30)})],
    # the log's launcher line names the config DGXB200_2x8x1xtp1pp1cp2 (MINIBS 1: GBS 8 = dp 8, GA 1, lines 41, 44)
    "mlperf-train-v5.0-supermicro-as-4126gs-nbr-lcc-n2-llama2-70b-lora-step": _lines(
        f"{V50}Supermicro/results/AS-4126GS-NBR-LCC_N2{LORA}result_1.txt",
        {"tp": (1, 4), "pp": (1, 4), "cp": (2, 4), "microbatch": (1, 4), "sequence_parallel": (False, 4)}) + [
        # implementations/AS-4126GS-NBR-LCC_N2/README.md: "refer to the implementation directory b200_nemo";
        # its config_common.sh exports FP8=True (fp8_params: ${FP8}) and FP8_DPA=1; FP8_ACT is not exported
        ("fp8_params", True, f"{B200_NEMO}config_common.sh#L20"),
        ("fp8_dot_product_attention", True, f"{B200_NEMO}config_common.sh#L24"),
        ("activation_func_fp8_input_store", False, f"{B200_NEMO}conf/megatron_gpt_peft_tuning_config.yaml#L46")],
    # MI325X: AMD's one-node submission (systems/MI325X_EPYC_9575F_pytorch.json) and its config
    "mlperf-train-v5.0-amd-mi325x-epyc-9575f-pytorch-llama2-70b-lora-throughput": [
        ("cluster", "AMD QuantaGrid D74A-7U, 8x MI325X (MLPerf Training v5.0, one node)",
         f"{V50}AMD/systems/MI325X_EPYC_9575F_pytorch.json#L38"),
        *_lines(MI325X, {"tp": (1, 46), "pp": (1, 47), "cp": (1, 48), "sequence_parallel": (False, 49),
                         "microbatch": (1, 51), "compute_dtype": ("fp8", 60), "fp8_dot_product_attention": (False, 59),
                         "activation_func_fp8_input_store": (True, 64)}),
        ("fp8_params", True, MI325X.replace("config_MI325X_1x8x1.sh", "src/conf/megatron_gpt_peft_tuning_config.yaml#L84"))],
    # Google's GPT-3 runs: v6e-256 slices joined over DCN (MaxText), v5e-256 slices (Pax)
    **{f"mlperf-train-v4.1-google-cloud-tpu-trillium-{n}-maxtext-gpt3-train-tokens-per-s": _trillium(n)
       for n in (512, 1024, 2048, 3072)},
    # Pax C4SpmdGpt3AdamDataParallel16x16x16Int8 (README line 106, 16 slices of 16x16): ICI mesh [replica 1,
    # data 16, model 16] shards weights over data (ZeRO-3) and tensors over 16 chips; DCN [16, 1, 1] replicas
    "mlperf-train-v3.1-google-cloud-tpu-v5e-4096-pax-gpt3-train-tokens-per-s": [
        ("cluster", "Google Cloud TPU v5e multislice (16 x 256 chips)", f"{PAX}README.md#L106"),
        ("compute_dtype", "int8", f"{PAX}src/c4_mlperf_test.py#L524"),
        *_lines(f"{PAX}src/c4_mlperf_test.py", {"tp": (16, 272), "zero_stage": (3, 272)})],
}


def _cluster(name: str, accelerator: str, per_node: int, nodes: int, domain: int, fabric: str, nic: float,
             nics: int, url: str, notes: str) -> dict:
    return {"name": name, "accelerator": accelerator, "accelerators_per_node": per_node, "nodes": nodes,
            "scaleup_domain_size": domain, "fabric": fabric, "nic_bandwidth_bits_per_s": nic, "nics_per_node": nics,
            "source_url": url, "notes": notes, "source_quality": "primary", "last_verified": VERIFIED}


TPU_NOTE = ("MLPerf Training system description {json}: {chips} chips, number_of_nodes {nodes}, "
            "accelerators_per_node 4 (the job's TPU VMs), accelerator_interconnect_topology 16x16; the run script "
            "joins {slices} slices of 256 chips (one ICI 2D torus each, the scale-up domain) over the data-center "
            "network (Cloud TPU Multislice). DCN bandwidth per chip from the pod row of the same TPU "
            "({per_chip} Gb/s: {host}), so {nics} x {nic} Gb/s per 4-chip VM (derived). Latency, storage, MTBF "
            "unpublished: empty.")
CLUSTERS = [
    *[_cluster(f"Google Cloud TPU v6e Trillium multislice ({c // 256} x 256 chips)", "TPU v6e", 4, c // 4, 256,
               "TPU ICI (2D torus) in each 256-chip slice + DCN (Multislice)", 200e9, 2,
               f"{V41}Google/systems/cloud-tpu-trillium-{c}-maxtext.json",
               TPU_NOTE.format(json=f"cloud-tpu-trillium-{c}-maxtext.json", chips=c, nodes=c // 4, slices=c // 256,
                               per_chip=100, host="Cloud TPU v6e docs, 4 x 200 Gbps per 8-chip host", nics=2,
                               nic=200)) for c in (512, 1024, 2048, 3072)],
    _cluster("Google Cloud TPU v5e multislice (16 x 256 chips)", "TPU v5e", 4, 1024, 256,
             "TPU ICI (2D torus) in each 256-chip slice + DCN (Multislice)", 100e9, 1,
             f"{V31}Google/systems/cloud-tpu-v5e-4096-PAX.json",
             TPU_NOTE.format(json="cloud-tpu-v5e-4096-PAX.json", chips=4096, nodes=1024, slices=16, per_chip=25,
                             host="Cloud TPU v5e docs, 2 x 100 Gbps per 8-chip host", nics=1, nic=100)),
    _cluster("AMD QuantaGrid D74A-7U, 8x MI325X (MLPerf Training v5.0, one node)", "MI325X", 8, 1, 8,
             "10G Ethernet (host networking; one node, no scale-out)", 10e9, 1,
             f"{V50}AMD/systems/MI325X_EPYC_9575F_pytorch.json",
             "MLPerf Training v5.0 system description: number_of_nodes 1, accelerators_per_node 8, "
             "accelerator_interconnect XGMI, host_networking '10G Ethernet'. One node: the scale-out fields "
             "describe the host NIC only and no collective crosses it."),
]


def _set(frame: pl.DataFrame, name: str, column: str, value: object, source: str) -> pl.DataFrame:
    where = pl.col("name") == name
    if column not in frame.columns or frame.filter(where).height != 1:
        sys.exit(f"r-evid2: measurements has no single row {name!r} with column {column!r}")
    note = f" [{column} = {str(value).lower() if isinstance(value, bool) else value}: {source}]"
    return frame.with_columns(
        pl.when(where).then(pl.lit(value, frame.schema[column])).otherwise(pl.col(column)).alias(column),
        pl.when(where & ~pl.col("notes").str.contains(note, literal=True)).then(pl.col("notes") + note)
        .otherwise(pl.col("notes")).alias("notes"))


def apply(registry: Path = REGISTRY) -> int:
    clusters = pl.read_parquet(registry / "clusters.parquet")
    new = pl.DataFrame(CLUSTERS).select(
        pl.col(c).cast(clusters.schema[c]) if c in CLUSTERS[0] else pl.lit(None, clusters.schema[c]).alias(c)
        for c in clusters.columns)
    clusters = pl.concat([clusters.filter(~pl.col("name").is_in(new["name"].implode())), new])
    write_catalog(clusters, "clusters", registry, source=f"{registry / 'clusters.parquet'} after r-evid2")
    frame = pl.read_parquet(registry / "measurements.parquet")
    cells = 0
    for name, patches in PATCHES.items():
        for column, value, source in patches:
            frame, cells = _set(frame, name, column, value, source), cells + 1
    write_catalog(frame, "measurements", registry, source=f"{registry / 'measurements.parquet'} after r-evid2")
    return cells


if __name__ == "__main__":
    print(apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY), "cells")
