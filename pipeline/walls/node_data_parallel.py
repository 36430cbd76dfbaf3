"""The node study's training step at data-parallel scale (issue 12): the gradient all-reduce over the row's devices
and the optimizer update as a memory-bound pass of its own.

A node-study training row runs each device's share of the global batch (``batch`` = global / devices). After the
backward pass the devices all-reduce the gradient (PyTorch DDP, Horovod, apex's distributed optimizers), priced by
wall 14's NCCL all-reduce (``communication.nccl_all_reduce_s``: the collectives catalog's fitted alpha and beta within
a scale-up domain, PCIe between the domains of one host, the cluster's NICs across hosts) and exposed as the training
study's ``dp_exposed_time_s`` (``training.dp_overlap_fraction``, 0 by default: NVIDIA's MLPerf ResNet-50 runs state
"Default is no NCCL and BWD overlap", mlcommons/training_results_v4.0
NVIDIA/benchmarks/resnet/implementations/eos_n316_ngc24.04_mxnet/config_DGXH100_multi_316x8x16.sh,
MXNET_HOROVOD_NUM_GROUPS=1). Then the optimizer reads and writes its fp32 state once, a memory-bound kernel that runs
after the GEMMs it follows and so cannot overlap them (wall 2 adds it to ``elementwise_time_s``, beside the roofline).
Sharded optimizers update 1/g of the state on each of g ranks: NVIDIA's MLPerf BERT runs apex's DistributedFusedLAMB
(``--distributed_lamb`` in run_and_time.sh), whose dwu_group_size "defaults to one node" (run_pretraining.py,
training_results_v4.0 NVIDIA bert eos_n434_ngc23.09_pytorch); ResNet-50's SGDwFASTLARSV2 (common/optimizer.py,
lars_multi_mp_sgd_mom_update_v2) updates every weight on every rank. Across nodes the BERT runs pass
``full_ar = torch.cuda.device_count() < torch.distributed.get_world_size()`` (training_results_v5.0 0fdc28f
NVIDIA/benchmarks/bert/implementations/tyche_ngpu512_ngc25.04_pytorch/run_pretraining.py line 993; the same line in
every NVIDIA BERT implementation of v3.1-v5.0): apex then all-reduces the whole gradient over every rank (the
all-reduce above) and, after the sharded update, all-gathers the new 16-bit parameters within the node
(DistributedFusedLAMB._pipeline_step's ``all_gather(self._new_params_mega_shards, self._fp16_p, group=self._ag_pg[0])``,
its AG groups the node's ``device_count()`` ranks with ``--dwu-num-ag-pg=1``, run_and_time.sh line 125). Within one
node the reduce-scatter and that all-gather are the all-reduce itself, so only the multi-node step adds it.
"""

from __future__ import annotations

from pipeline.formulas import column, define
from pipeline.units import Plain, UExpr, lit, minimum, where
from pipeline.walls.communication import ALLREDUCE_FIT_COLUMNS, dp_exposed_time_s, nccl_all_reduce_s, ring_all_gather_s
from pipeline.walls.locality import SCALEOUT_LINK_EFFICIENCY, scaleout_bandwidth_per_gpu_bytes_per_s
from pipeline.walls.pcie_collectives import pcie_ring_all_reduce_s, pcie_ring_beta
from pipeline.walls.quantities import OPTIMIZER_BYTES, WORKING_WEIGHT_BYTES

# NCCL's PCIe ring step latency with the LL protocol, hwLat[PCI][RING][LL] = 1.0 us (src/graph/tuning.cc, NVIDIA/nccl
# 5067397c): pcie_collectives' fixed times are multiples of it (for a PCIe-linked part, its catalogued scale-up latency)
PCIE_LL_STEP_LATENCY_S = 1.0e-6


@column
def gradient_allreduce_bytes(step: Plain, data_parallel_devices: UExpr, params_computed: UExpr,
                             gradient_bytes_per_param: UExpr) -> UExpr:
    """A training step on more than one device all-reduces the whole gradient, params x gradient bytes (the training
    study's gradient_bytes_per_param, 16-bit by default); 0 otherwise."""
    return where((step == "train") & (data_parallel_devices > 1), params_computed * gradient_bytes_per_param, 0)


def _gradient_allreduce_time_s(data_parallel_devices: UExpr, gradient_allreduce_bytes: UExpr,
                               scaleup_domain_size: UExpr, cluster_scaleup_domain_size: UExpr,
                               scaleup_link_latency_s: UExpr, scaleup_link_bandwidth_bytes_per_s: UExpr,
                               eta_link: UExpr, scaleout_latency_s: UExpr, nic_bandwidth_bits_per_s: UExpr,
                               nics_per_node: UExpr, cluster_accelerators_per_node: UExpr,
                               oversubscription_ratio: UExpr, accelerators_per_node: UExpr,
                               host_link_bandwidth_bytes_per_s: UExpr, *fit: UExpr) -> UExpr:
    """NCCL's all-reduce of the gradient over the devices: within the scale-up domain (the cluster's, else the
    accelerator's) on its links; beyond it but within one node (the cluster's GPUs per node, else [data]
    accelerators_per_node), ``host_pcie_all_reduce_s``; beyond the node over the named cluster's NICs. 0 where
    nothing is reduced, and where the devices span nodes and no cluster names the scale-out fabric (not counted: no
    figure to price it with)."""
    domain = cluster_scaleup_domain_size.fill_null(scaleup_domain_size)
    node = cluster_accelerators_per_node.fill_null(accelerators_per_node)
    out_beta = scaleout_bandwidth_per_gpu_bytes_per_s(nic_bandwidth_bits_per_s, nics_per_node,
                                                      cluster_accelerators_per_node,
                                                      oversubscription_ratio.fill_null(1.0)) * SCALEOUT_LINK_EFFICIENCY
    time = nccl_all_reduce_s(data_parallel_devices, gradient_allreduce_bytes, domain, scaleup_link_latency_s,
                             scaleup_link_bandwidth_bytes_per_s, scaleup_link_bandwidth_bytes_per_s * eta_link,
                             scaleout_latency_s, out_beta, *fit)
    in_host = (data_parallel_devices > domain) & (data_parallel_devices <= node)
    host = host_pcie_all_reduce_s(data_parallel_devices, gradient_allreduce_bytes,
                                  host_link_bandwidth_bytes_per_s * eta_link, fit[0], fit[1])
    return where(gradient_allreduce_bytes > 0, where(in_host, host, time), 0).fill_null(0)


def host_pcie_all_reduce_s(n: UExpr, message: UExpr, beta: UExpr, socket_ranks: UExpr,
                           socket_bandwidth: UExpr) -> UExpr:
    """An all-reduce over ``n`` GPUs of one host whose scale-up domain is smaller than the host (PCIe cards, two- or
    four-way NVLink bridges): NCCL's intra-node ring passes every GPU and crosses the PCIe links between domains in
    each direction, so the PCIe hops set its bus bandwidth; priced as NCCL's PCIe ring (``pcie_ring_all_reduce_s``:
    LL / Simple at hwLat[PCI]) at the host link ``beta`` (link x eta_link), at most the CPU interconnect's where
    the ring spans sockets (``pcie_ring_beta``; null socket figures: the link alone)."""
    return pcie_ring_all_reduce_s(n, message, lit(PCIE_LL_STEP_LATENCY_S, "s"),
                                  pcie_ring_beta(n, beta, socket_ranks, socket_bandwidth))


define("gradient_allreduce_time_s",
       ["data_parallel_devices", "gradient_allreduce_bytes", "scaleup_domain_size", "cluster_scaleup_domain_size",
        "scaleup_link_latency_s", "scaleup_link_bandwidth_bytes_per_s", "eta_link", "scaleout_latency_s",
        "nic_bandwidth_bits_per_s", "nics_per_node", "cluster_accelerators_per_node", "oversubscription_ratio",
        "accelerators_per_node", "host_link_bandwidth_bytes_per_s", *ALLREDUCE_FIT_COLUMNS], _gradient_allreduce_time_s)


@column
def parameter_allgather_time_s(step: Plain, data_parallel_devices: UExpr, optimizer_shard_ranks: UExpr,
                               params_computed: UExpr, accelerators_per_node: UExpr,
                               cluster_accelerators_per_node: UExpr, scaleup_domain_size: UExpr,
                               cluster_scaleup_domain_size: UExpr, scaleup_link_latency_s: UExpr,
                               scaleup_link_bandwidth_bytes_per_s: UExpr, host_link_bandwidth_bytes_per_s: UExpr,
                               eta_link: UExpr) -> UExpr:
    """A sharded optimizer's step across nodes (apex DistributedFusedLAMB with full_ar, module docstring): the ring
    all-gather of the 16-bit parameters (WORKING_WEIGHT_BYTES x params) over the optimizer's shard group, one node,
    after the update and so not hidden behind backward; on the scale-up links where the group fits the domain, else
    the host link, each x eta_link. 0 on one node (its reduce-scatter + all-gather are the gradient all-reduce) and
    where the optimizer is not sharded."""
    node = cluster_accelerators_per_node.fill_null(accelerators_per_node)
    domain = cluster_scaleup_domain_size.fill_null(scaleup_domain_size)
    link = where(optimizer_shard_ranks <= domain, scaleup_link_bandwidth_bytes_per_s, host_link_bandwidth_bytes_per_s)
    gather = ring_all_gather_s(optimizer_shard_ranks, params_computed * WORKING_WEIGHT_BYTES, scaleup_link_latency_s,
                               link * eta_link)
    spans = (step == "train") & (data_parallel_devices > node) & (optimizer_shard_ranks > 1)
    return where(spans, gather, 0).fill_null(0)


@column
def gradient_exposed_time_s(gradient_allreduce_time_s: UExpr, dp_overlap_fraction: UExpr,
                            parameter_allgather_time_s: UExpr) -> UExpr:
    """The part not hidden behind the backward pass: the training study's term, and the sharded optimizer's
    parameter all-gather after the update."""
    return dp_exposed_time_s(gradient_allreduce_time_s, dp_overlap_fraction) + parameter_allgather_time_s


@column
def optimizer_shard_ranks(optimizer_sharded: Plain, data_parallel_devices: UExpr, accelerators_per_node: UExpr,
                          cluster_accelerators_per_node: UExpr) -> UExpr:
    """Ranks the optimizer state is split over: one node's GPUs (the cluster's, else [data] accelerators_per_node)
    or fewer devices where the optimizer shards (apex DistributedFusedLAMB's default group), else 1."""
    node = cluster_accelerators_per_node.fill_null(accelerators_per_node)
    return where(optimizer_sharded, minimum(data_parallel_devices, node), 1.0)


@column
def optimizer_traffic_bytes(step: Plain, params_computed: UExpr, optimizer_shard_ranks: UExpr) -> UExpr:
    """The update's read and write of the fp32 master weights and two moments (OPTIMIZER_BYTES, 12 B/param), of this
    rank's shard; 0 outside training."""
    return where(step == "train", 2.0 * OPTIMIZER_BYTES * params_computed / optimizer_shard_ranks, 0)
