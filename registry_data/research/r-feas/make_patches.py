"""Write patches.csv: the parallel layout and FP8 storage of 12 MLPerf Training llama2_70b_lora rows
(issue 12, test_feasible's LORA_NO_LAYOUT and LORA_FP8 gaps), each value cited to the line of the
submission's config (or result log) that states it. Read from mlcommons/training_results_v4.0 (6fe95437),
v4.1 (b87b9e39) and v5.0 (0fdc28f0) with ``git show <commit>:<path>``; the files and line numbers are
written out below. The NeMo Hydra config resolves ``fp8_params: ${FP8}``, ``fp8_dot_product_attention:
${FP8_DPA, 0}`` and the activation-input key from the environment the system's config_*.sh exports.
Run from the repository root (then ``apply.py``):

    .venv/bin/python registry_data/research/r-feas/make_patches.py
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).parent
V40 = "https://github.com/mlcommons/training_results_v4.0/blob/6fe954378efe4a1a1bd665550b18ff8f26018def/"
V41 = "https://github.com/mlcommons/training_results_v4.1/blob/b87b9e396f771345d4ef122ba33456304f15228d/"
V50 = "https://github.com/mlcommons/training_results_v5.0/blob/0fdc28f013256aea84fa36fdaf1e0fa46094b18c/"
LORA = "benchmarks/llama2_70b_lora/implementations/"


def _at(base: str, path: str, line: int) -> str:
    return f"{base}{path}#L{line}"


def _row(name: str, cfg: tuple[str, str], common: tuple[str, str], yaml: tuple[str, str], lines: dict) -> list[dict]:
    """One patch per (column, value, which file, line). ``lines``: column -> (value, file key, line)."""
    files = {"cfg": cfg, "common": common, "yaml": yaml}
    return [{"table": "measurements", "name": name, "column": column, "value": value,
             "source": _at(files[key][0], files[key][1], line)} for column, (value, key, line) in lines.items()]


def patches() -> list[dict]:
    out = []
    # v4.0 Fujitsu GX2560M7 (4x H100): the only 4-GPU H100 config of the submission
    f = "Fujitsu/" + LORA + "pytorch/"
    out += _row("mlperf-train-v4.0-fujitsu-gx2560m7-h100-sxm-80gbx4-llama2-70b-lora-throughput",
                (V40, f + "configs/config_GX2560M7_1x4x8xtp4pp1cp1.sh"), (V40, f + "configs/config_GX2560M7_common.sh"),
                (V40, f + "conf/megatron_gpt_peft_tuning_config.yaml"),
                {"tp": ("4", "cfg", 9), "pp": ("1", "cfg", 10), "cp": ("1", "cfg", 11),
                 "sequence_parallel": ("true", "cfg", 12), "compute_dtype": ("fp8", "cfg", 15),
                 "fp8_params": ("true", "yaml", 80), "fp8_dot_product_attention": ("true", "common", 15),
                 "activation_func_fp8_input_store": ("false", "yaml", 89)})  # FP8_ACTIVATION unset: 0
    # v4.0 NVIDIA Eos (8x H100, 1 node) and H200 (8x H200): the 1x8 configs of nemo/
    n = "NVIDIA/" + LORA + "nemo/"
    common, yaml = (V40, n + "configs/config_common.sh"), (V40, n + "conf/megatron_gpt_peft_tuning_config.yaml")
    out += _row("mlperf-train-v4.0-nvidia-eos-ngc24.04-nemo-llama2-70b-lora-throughput",
                (V40, n + "config_DGXH100_1x8x4xtp4pp1cp1.sh"), common, yaml,
                {"tp": ("4", "cfg", 10), "pp": ("1", "cfg", 11), "cp": ("1", "cfg", 12),
                 "sequence_parallel": ("true", "cfg", 13), "compute_dtype": ("fp8", "cfg", 17),
                 "fp8_params": ("true", "yaml", 80), "fp8_dot_product_attention": ("true", "common", 17),
                 "activation_func_fp8_input_store": ("false", "yaml", 89)})
    out += _row("mlperf-train-v4.0-nvidia-h200-ngc24.04-nemo-llama2-70b-lora-throughput",
                (V40, n + "config_DGXH200_1x8x2xtp2pp1cp1.sh"), common, yaml,
                {"tp": ("2", "cfg", 10), "pp": ("1", "cfg", 11), "sequence_parallel": ("true", "cfg", 12),
                 "cp": ("1", "cfg", 13), "compute_dtype": ("fp8", "cfg", 23), "fp8_params": ("true", "yaml", 80),
                 "fp8_dot_product_attention": ("true", "common", 17),
                 "activation_func_fp8_input_store": ("true", "cfg", 27)})  # FP8_ACTIVATION=True, yaml line 89
    # v4.1 Dell XE8640 (4x H100)
    d = "Dell/" + LORA + "nemo/"
    out += _row("mlperf-train-v4.1-dell-xe8640x4h100-sxm-80gb-llama2-70b-lora-throughput",
                (V41, d + "config_XE8640_1x4x4xtp4pp1cp1_2.sh"), (V41, d + "configs/config_common.sh"),
                (V41, d + "conf/megatron_gpt_peft_tuning_config.yaml"),
                {"tp": ("4", "cfg", 66), "pp": ("1", "cfg", 55), "sequence_parallel": ("true", "cfg", 56),
                 "cp": ("1", "cfg", 67), "fp8_params": ("true", "yaml", 96),
                 "fp8_dot_product_attention": ("true", "cfg", 70),
                 "activation_func_fp8_input_store": ("false", "yaml", 105)})  # FP8_ACTIVATION unset
    # v4.1 NVIDIA B200 preview and H200 (tp 1, cp 2 already on the rows)
    b = "NVIDIA/" + LORA + "b200_preview_nemo/"
    out += _row("mlperf-train-v4.1-nvidia-b200-preview-nemo-llama2-70b-lora-throughput",
                (V41, b + "config_DGXB200_1x8x2xtp1pp1cp2.sh"), (V41, b + "configs/config_common.sh"),
                (V41, b + "conf/megatron_gpt_peft_tuning_config.yaml"),
                {"fp8_params": ("true", "yaml", 84), "fp8_dot_product_attention": ("true", "cfg", 35),
                 "activation_func_fp8_input_store": ("false", "cfg", 23)})
    h = "NVIDIA/" + LORA + "h200_ngc24.09_nemo/"
    out += _row("mlperf-train-v4.1-nvidia-h200-ngc24.09-nemo-llama2-70b-lora-throughput",
                (V41, h + "config_DGXH200_1x8x2xtp1pp1cp2.sh"), (V41, h + "configs/config_common.sh"),
                (V41, h + "conf/megatron_gpt_peft_tuning_config.yaml"),
                {"fp8_params": ("true", "yaml", 96), "fp8_dot_product_attention": ("false", "cfg", 32),
                 "activation_func_fp8_input_store": ("true", "cfg", 31)})
    # v5.0 AMD MI300X (8 GPUs): AMD's NeMo config names the activation key fp8_activation_input_store
    a = "AMD/" + LORA + "MI300X_EPYC_9575F_pytorch/"
    out += _row("mlperf-train-v5.0-amd-mi300x-epyc-9575f-pytorch-llama2-70b-lora-throughput",
                (V50, a + "config_MI300X_1x8x1.sh"), (V50, a + "config_MI300X_1x8x1.sh"),
                (V50, a + "src/conf/megatron_gpt_peft_tuning_config.yaml"),
                {"tp": ("1", "cfg", 47), "pp": ("1", "cfg", 48), "cp": ("1", "cfg", 49),
                 "sequence_parallel": ("false", "cfg", 50), "compute_dtype": ("fp8", "cfg", 61),
                 "fp8_params": ("true", "yaml", 84), "fp8_dot_product_attention": ("false", "cfg", 60),
                 "activation_func_fp8_input_store": ("true", "cfg", 65)})
    # v5.0 Dell XE9680L (8x H200): the result log prints the resolved config
    log = (V50, "Dell/results/1xXE9680Lx8H200-SXM-141GB/llama2_70b_lora/result_0.txt")
    out += _row("mlperf-train-v5.0-dell-1xxe9680lx8h200-sxm-141gb-llama2-70b-lora-throughput", log, log, log,
                {"tp": ("1", "cfg", 80), "pp": ("1", "cfg", 81), "cp": ("2", "cfg", 82),
                 "sequence_parallel": ("false", "cfg", 94), "fp8_params": ("true", "cfg", 108),
                 "fp8_dot_product_attention": ("false", "cfg", 116),
                 "activation_func_fp8_input_store": ("true", "cfg", 117)})
    # v5.0 NVIDIA nyx (8x B200) and tyche (8x GB200), tp 1 cp 1; Oracle 1xBM.GPU.GB200.4, tp 1 cp 2
    for name, impl, cfg in (("mlperf-train-v5.0-nvidia-nyx-n1-ngc25.04-nemo-llama2-70b-lora-step", "nyx_n1_ngc25.04_nemo",
                             "config_DGXB200_1x8x1xtp1pp1cp1.sh"),
                            ("mlperf-train-v5.0-nvidia-tyche-ngpu8-ngc25.04-nemo-llama2-70b-lora-step",
                             "tyche_ngpu8_ngc25.04_nemo", "config_GB200_2x4x1xtp1pp1cp1.sh")):
        p = "NVIDIA/" + LORA + impl + "/"
        out += _row(name, (V50, p + cfg), (V50, p + "config_common.sh"),
                    (V50, p + "conf/megatron_gpt_peft_tuning_config.yaml"),
                    {"fp8_params": ("true", "yaml", 36), "fp8_dot_product_attention": ("true", "common", 24),
                     "activation_func_fp8_input_store": ("true", "cfg", 13)})
    o = "Oracle/" + LORA + "1xBM.GPU.GB200.4/"
    out += _row("mlperf-train-v5.0-oracle-1xbm.gpu.gb200.4-llama2-70b-lora-step",
                (V50, o + "config_GB200_1x4x4xtp1pp1cp2.sh"), (V50, o + "config_common.sh"),
                (V50, "NVIDIA/" + LORA + "tyche_ngpu8_ngc25.04_nemo/conf/megatron_gpt_peft_tuning_config.yaml"),
                {"fp8_params": ("true", "yaml", 36), "fp8_dot_product_attention": ("true", "common", 24),
                 "activation_func_fp8_input_store": ("false", "yaml", 46)})  # FP8_ACT unset in cfg: 0
    m = "MangoBoost/" + LORA + "MI300X-LLMBoost-GPUBoost-2node/"
    out += _row("mlperf-train-v5.0-mangoboost-mi300x-llmboost-gpuboost-2node-llama2-70b-lora-throughput",
                (V50, m + "config_MI300X_2x8x1.sh"), (V50, m + "config_MI300X_2x8x1.sh"),
                (V50, m + "src/conf/megatron_gpt_peft_tuning_config.yaml"),
                {"fp8_params": ("true", "yaml", 84), "fp8_dot_product_attention": ("false", "cfg", 30),
                 "activation_func_fp8_input_store": ("true", "cfg", 35)})
    return out


if __name__ == "__main__":
    rows = patches()
    with open(HERE / "patches.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, ["table", "name", "column", "value", "source"])
        writer.writeheader()
        writer.writerows(rows)
    print(len(rows), "patches")
