"""The columns ``mlsys catalog list TABLE`` shows for each catalog: the ones that identify a
row and its headline figures (``mlsys catalog show NAME`` prints every column)."""

from __future__ import annotations

LIST_COLUMNS: dict[str, list[str]] = {
    "hardware": ["name", "vendor", "family", "category", "release_year", "memory_capacity_bytes",
                 "memory_bandwidth_bytes_per_s", "peak_bf16_flop_per_s"],
    "models": ["name", "family", "model_type", "is_moe", "params_published", "n_layers"],
    "precisions": ["name", "bytes_per_element", "peak_column"],
    "efficiency_profiles": ["profile", "workload", "framework", "hardware_family", "eta_compute_low",
                            "eta_compute_high", "decode_cuda_graphs", "prefill_chunk_tokens"],
    "clusters": ["name", "accelerator", "nodes", "accelerators_per_node", "fabric", "nic_bandwidth_bits_per_s",
                 "nics_per_node", "node_mtbf_s"],
    "regions": ["name", "kind", "country", "carbon_intensity_g_per_kwh", "carbon_intensity_year", "carbon_method",
                "pue",                "wue_l_per_kwh", "electricity_price_usd_per_kwh"],
    "accelerator_costs": ["accelerator", "list_price_usd", "list_price_year", "as_of", "node_price_usd",
                          "accelerators_per_node", "idle_power_w", "embodied_co2e_kg"],
    "cloud_prices": ["accelerator", "cloud", "instance", "pricing", "cloud_region", "usd_per_accelerator_hour",
                     "price_year"],
    "measurements": ["name", "metric", "value", "model", "hardware", "devices", "compute_dtype", "scenario",
                     "batch"],
    "storage": ["name", "kind", "read_bandwidth_bytes_per_s", "latency_s"],
    "host_pipelines": ["name", "model_type", "dataset", "bytes_per_sample", "samples_per_s_per_core"],
    "workloads": ["name", "kind", "samples", "input_tokens_mean", "input_tokens_p99", "output_tokens_mean",
                  "output_tokens_p99", "output_cap_tokens", "trust"],
    "conv_layers": ["name", "model", "positions", "out_channels", "reduction", "in_channels", "count"],
}
# tables `catalog show NAME` looks in, in order
SHOW_TABLES = ("hardware", "models", "precisions", "clusters", "workloads")
