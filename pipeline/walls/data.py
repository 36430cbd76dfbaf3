"""Walls 8 (ingestion) and 9 (transformation): the input pipeline of a training job.

rho = demanded / supplied read bandwidth (wall 8) and CPU cores needed / cores there (wall 9);
above 1 the accelerators wait for data. The storage tier and host pipeline come from the
``storage`` and ``host_pipelines`` catalogs (``pipeline.studies.input_pipeline``); the node
study applies them to its training rows, one accelerator's share of a node, the training
study per node.
"""

from __future__ import annotations

from pipeline.formulas import column
from pipeline.units import Plain, UExpr, maximum, only_where
from pipeline.walls.registries import define_training, training_column

# -- the node study's training rows: one accelerator's share of a node ----------------------------

@column
def storage_utilization(workload: Plain, samples_per_s: UExpr, data_bytes_per_sample: UExpr,
                        storage_read_bandwidth_bytes_per_s: UExpr, accelerators_per_node: UExpr) -> UExpr:
    """Wall 8: rho = the samples this accelerator trains on per second x their bytes / its share
    of the node's read bandwidth (training rows; inference inputs arrive with requests)."""
    rho = (samples_per_s * data_bytes_per_sample / (storage_read_bandwidth_bytes_per_s / accelerators_per_node))
    return only_where(workload == "training", rho.to(""))


@column
def host_utilization(workload: Plain, samples_per_s: UExpr, data_samples_per_s_per_core: UExpr,
                     host_cores_per_node: UExpr, accelerators_per_node: UExpr) -> UExpr:
    """Wall 9: rho = CPU cores the samples need / this accelerator's share of the node's cores."""
    rho = samples_per_s / data_samples_per_s_per_core / (host_cores_per_node / accelerators_per_node)
    return only_where(workload == "training", rho.to(""))


@column
def input_utilization(storage_utilization: UExpr, host_utilization: UExpr) -> UExpr:
    """The busier of the two: above 1 the accelerator waits for data."""
    return maximum(storage_utilization, host_utilization)


# -- the training study: one node of the cluster ----------------------------------------------------

@training_column
def sequences_per_s_per_node(global_batch: UExpr, iteration_time_s: UExpr, dp_sgd_step_multiplier: UExpr,
                             nodes_used: UExpr) -> UExpr:
    """Training sequences each node must read and prepare per second at the step's pace."""
    return (global_batch / (iteration_time_s * dp_sgd_step_multiplier) / nodes_used).to("1/s")


@training_column
def data_bytes_per_s_per_node(sequences_per_s_per_node: UExpr, data_bytes_per_sample: UExpr) -> UExpr:
    return sequences_per_s_per_node * data_bytes_per_sample


def _node_storage_utilization(data_bytes_per_s_per_node: UExpr, storage_read_bandwidth_bytes_per_s: UExpr) -> UExpr:
    """Wall 8: rho = demanded / supplied read bandwidth of one node."""
    return (data_bytes_per_s_per_node / storage_read_bandwidth_bytes_per_s).to("")


@training_column
def host_cores_needed_per_node(sequences_per_s_per_node: UExpr, data_samples_per_s_per_core: UExpr) -> UExpr:
    return (sequences_per_s_per_node / data_samples_per_s_per_core).to("")


def _node_host_utilization(host_cores_needed_per_node: UExpr, host_cores_per_node: UExpr) -> UExpr:
    """Wall 9: rho = CPU cores the input pipeline needs / cores a node has."""
    return host_cores_needed_per_node / host_cores_per_node


# The training study's own formulas for the node study's column names.
define_training("storage_utilization", ["data_bytes_per_s_per_node", "storage_read_bandwidth_bytes_per_s"],
                _node_storage_utilization)
define_training("host_utilization", ["host_cores_needed_per_node", "host_cores_per_node"], _node_host_utilization)
