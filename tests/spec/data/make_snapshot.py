"""How tests/spec/data/as_dict_main.json was produced (kept for the record; it reads the flat
SweepSpec of main at commit b06efb5, before pipeline/spec/ was split into sections, so it does
not run on the sectioned spec).

    git checkout b06efb5 && python tests/spec/data/make_snapshot.py > tests/spec/data/as_dict_main.json

For every spec below: ``as_dict()`` as main recorded it in the manifest, and every setting's value
under its sectioned path (``axes.batch``, ``training.zero_stage`` ...), lists for tuples.
"""

import json
import math
import tomllib

from pipeline.spec import DEFAULT_SPEC, parse_spec

SPECS_DIR = DEFAULT_SPEC.parent
BUNDLED = ["default", "serving", "serving_cost", "training", "training_regions"]
# Specs that reach the branches the bundled ones leave out (one per study and option).
EXTRA = {
    "node_data_overrides": {"axes": {"hardware": ["H100 SXM5 80GB"], "batch": 4, "region": ["France"]},
                            "filters": {"model": {"family": ["llama2"]}, "hardware": {"vendor": []}},
                            "data": {"storage": "s3", "data_pipeline": "imagenet", "host_cores_per_node": 64,
                                     "accelerators_per_node": 4},
                            "analysis": {"synthesis_target_fraction": 0.5},
                            "overrides": {"hardware.tdp_w": "500 W"},
                            "software": {"kernels_per_transformer_layer": 9, "launch_overhead_per_kernel_s": 5e-6},
                            "output": {"dir": "elsewhere", "compression": "zstd"},
                            "operations": {"pricing": "spot", "shared_utilization": 0.5, "service_time_cv": 0.0}},
    "serving_split_dtypes": {"study": "serving",
                             "axes": {"compute_dtype": ["fp16"], "weight_dtype": ["int4", "fp8"], "kv_dtype": "fp8",
                                      "request_rate": [1, 2.5], "replicas": [1, 4], "prune_ratio": [0, 0.5],
                                      "reasoning_tokens": [0, 1024], "distill_to": ["Llama 3 8B"]},
                             "efficiency": {"eta_compute": 0.5, "eta_memory": 0.8, "eta_link": 0.7},
                             "serving": {"memory_reserve_fraction": 0.2, "kv_block_tokens": 32,
                                         "weight_streaming": True, "dequant_overhead_fraction": 0.1,
                                         "prefill_chunk_tokens": 4096}},
    "training_dp": {"study": "training",
                    "axes": {"dp": [2, 4], "tp": 2, "zero_stage": [0, 3], "recompute": "none",
                             "sequence_parallel": [True, False], "hardware": ["H100 SXM5 80GB"]},
                    "efficiency": {"framework": "Megatron-LM", "eta_link": 0.9},
                    "training": {"storage": "s3", "data_pipeline": "imagenet", "host_cores_per_node": 96,
                                 "dp_sgd": "opacus", "dropout": True, "flash_attention": False,
                                 "gradient_bytes_per_param": 4, "tp_across_domains": True,
                                 "memory_reserve_fraction": 0.05, "restart_time_s": 60,
                                 "pp_balance_tolerance": 0.2, "dp_overlap_fraction": 1}},
}

SECTIONED = {  # flat attribute of main's SweepSpec -> its path in the sectioned spec
    **{k: f"axes.{k}" for k in ("hardware", "model", "compute_dtype", "batch", "seq_len", "workload", "region",
                                 "weight_dtype", "kv_dtype", "precision_tied", "tp", "pp", "prompt_len",
                                 "output_len", "reasoning_tokens", "request_rate", "replicas", "prune_ratio",
                                 "distill_to", "cluster", "gpus", "dp", "cp", "ep", "microbatch", "global_batch",
                                 "virtual_stages", "zero_stage", "recompute", "sequence_parallel")},
    "hardware_filters": "filters.hardware", "model_filters": "filters.model",
    **{k: f"efficiency.{k}" for k in ("framework", "eta_compute", "eta_memory", "eta_link")},
    **{k: f"software.{k}" for k in ("kernels_per_transformer_layer", "kernels_per_cnn_layer",
                                     "launch_overhead_per_kernel_s")},
    **{k: f"serving.{k}" for k in ("kv_block_tokens", "weight_streaming", "dequant_overhead_fraction",
                                    "prefill_chunk_tokens")},
    **{k: f"training.{k}" for k in ("dp_overlap_fraction", "flash_attention", "dropout", "dp_sgd",
                                     "gradient_bytes_per_param", "pp_balance_tolerance", "tp_across_domains",
                                     "train_tokens", "restart_time_s")},
    **{k: f"data.{k}" for k in ("storage", "data_pipeline", "host_cores_per_node", "accelerators_per_node")},
    **{k: f"operations.{k}" for k in ("pricing", "cloud", "service_life_years", "depreciation_years",
                                       "maintenance_fraction_per_year", "facility_capex_multiplier",
                                       "tco_horizon_years", "shared_utilization", "service_time_cv")},
    "synthesis_target_fraction": "analysis.synthesis_target_fraction",
    "out_dir": "output.dir", "compression": "output.compression",
    "study": "study", "overrides": "overrides", "source": "source",
}


def plain(value):
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def values(spec) -> dict:
    out = {path: plain(getattr(spec, flat)) for flat, path in SECTIONED.items()}
    # one flat field served both studies; the sectioned spec keeps one per section
    section = "training" if spec.study == "training" else "serving"
    out[f"{section}.memory_reserve_fraction"] = spec.memory_reserve_fraction
    return out


def main() -> None:
    raws = {name: (tomllib.loads((SPECS_DIR / f"{name}.toml").read_text()), f"sweep spec {name}")
            for name in BUNDLED}
    raws |= {name: (raw, name) for name, raw in EXTRA.items()}
    out = {"_produced_by": "tests/spec/data/make_snapshot.py on main at b06efb5 (flat SweepSpec), before the split",
           "specs": {}}
    for name, (raw, source) in raws.items():
        spec = parse_spec(raw, source)
        out["specs"][name] = {"raw": raw, "source": source, "as_dict": spec.as_dict(), "values": values(spec)}
    print(json.dumps(out, indent=1, sort_keys=False))


if __name__ == "__main__":
    main()
