"""Add (or replace, by name) the r-models25 rows of registry_data/models.parquet.

Re-runnable: every row goes through `mlsys catalog import --hf-config`, which replaces a row of the
same name in place, and every row carries a fixed --last-verified, so a second run writes the same
table. Only the names below are touched.

    .venv/bin/python registry_data/research/r-models25/apply.py [--registry DIR]

The configs are in configs/ next to this file; README.md there says where each was read.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MLSYS = Path(sys.executable).parent / "mlsys"
READ_ON = "2026-12-03"  # the day the configs and cards below were read
HF = "https://huggingface.co"
LLM_PROF = ("https://github.com/citsjtu2020/LLM-Prof/blob/8434c8d19c396b2f95d92a67845a7c0a0e0dd512/"
            "sglang/Model_Config.md")
ZHUI = "https://github.com/ZHUI/paddlenlp_model_readme/blob/ffc26950e6a9f69fb01d7c9b64607770d729e56b"
OPENMOSE = "https://github.com/OpenMOSE/RWKV-LM-RLHF/blob"
SLIME = "https://github.com/zyzshishui/slime/blob"
INDEX = "a public copy found through the code index's exact-string search (the index names no repository)"

# name, config file, HF repo, published count, source of the published count, family, year, notes
ROWS: list[tuple[str, str, str, int | None, str, str, int, str]] = [
    ("Qwen3 4B", "qwen3-4b.json", "Qwen/Qwen3-4B", 4_000_000_000, f"{HF}/Qwen/Qwen3-4B", "qwen3", 2025,
     f"Published: model card 'Number of Parameters: 4.0B' (tied embeddings). Config read from {LLM_PROF}."),
    ("Qwen3 8B", "qwen3-8b.json", "Qwen/Qwen3-8B", 8_200_000_000, f"{HF}/Qwen/Qwen3-8B", "qwen3", 2025,
     f"Published: model card 'Number of Parameters: 8.2B' (non-embedding 6.95B). Config read from {LLM_PROF}."),
    ("Qwen3 14B", "qwen3-14b.json", "Qwen/Qwen3-14B", 14_800_000_000, f"{HF}/Qwen/Qwen3-14B", "qwen3", 2025,
     f"Published: model card 'Number of Parameters: 14.8B' (non-embedding 13.2B). Config read from {LLM_PROF}."),
    ("Qwen3 32B", "qwen3-32b.json", "Qwen/Qwen3-32B", 32_800_000_000, f"{HF}/Qwen/Qwen3-32B", "qwen3", 2025,
     f"Published: model card 'Number of Parameters: 32.8B'. Config read from {LLM_PROF}."),
    ("Qwen3-30B-A3B", "qwen3-30b-a3b.json", "Qwen/Qwen3-30B-A3B", 30_500_000_000, f"{HF}/Qwen/Qwen3-30B-A3B",
     "qwen3-moe", 2025,
     "Published: model card '30.5B in total and 3.3B activated'. 48 MoE layers of 128 experts (768 wide), top-8, "
     f"no shared expert. Config read from {LLM_PROF}."),
    ("Qwen3-235B-A22B", "qwen3-235b-a22b.json", "Qwen/Qwen3-235B-A22B", 235_000_000_000,
     f"{HF}/Qwen/Qwen3-235B-A22B", "qwen3-moe", 2025,
     "Published: model card '235B in total and 22B activated' (non-embedding 234B). 94 MoE layers of 128 experts "
     f"(1536 wide), top-8, no shared expert. Config read from {INDEX} (a HARD_CODED_CONFIGS['Qwen/Qwen3-235B-A22B'] "
     "dict); layers, heads, KV heads and experts match the model card."),
    ("Llama 3.3 70B", "llama-3.3-70b.json", "meta-llama/Llama-3.3-70B-Instruct", 70_000_000_000,
     f"{HF}/meta-llama/Llama-3.3-70B-Instruct", "llama3", 2024,
     f"Published: model card Params '70B' (rounded; the count is +0.8%). Config read from {INDEX} (a dict "
     "'config_llama_70b' with transformers_version 4.47.0.dev0 and head_dim, which the Llama-3.3 release has and "
     "the Llama-3.1-70B config has not); the architecture equals the Llama 3.1 70B row."),
    ("DeepSeek-R1", "deepseek-r1.json", "deepseek-ai/DeepSeek-R1", 671_000_000_000,
     f"{HF}/deepseek-ai/DeepSeek-R1", "deepseek-v3", 2025,
     "Published: model card '671B total, 37B activated' (main model; the MTP module is excluded here as in the "
     "DeepSeek-V3 row). Same architecture as DeepSeek-V3 (MLA, 3 dense + 58 MoE layers of 256 routed top-8 + 1 "
     f"shared). Config read from {INDEX} (a dict 'config_Deepseek_R1')."),
    ("Qwen2.5 3B", "qwen2.5-3b.json", "Qwen/Qwen2.5-3B", 3_090_000_000, f"{HF}/Qwen/Qwen2.5-3B", "qwen2.5", 2024,
     f"Published: model card 'Number of Parameters: 3.09B' (tied embeddings). Config read from {LLM_PROF}."),
    ("Qwen2.5 14B", "qwen2.5-14b.json", "Qwen/Qwen2.5-14B", 14_700_000_000, f"{HF}/Qwen/Qwen2.5-14B", "qwen2.5", 2024,
     f"Published: model card 'Number of Parameters: 14.7B' (non-embedding 13.1B; read in {ZHUI}/Qwen/Qwen2.5-14B/"
     f"index.md). Config read from {LLM_PROF}."),
    ("Qwen2.5 32B", "qwen2.5-32b.json", "Qwen/Qwen2.5-32B", 32_500_000_000, f"{HF}/Qwen/Qwen2.5-32B", "qwen2.5", 2024,
     f"Published: model card 'Number of Parameters: 32.5B' (non-embedding 31.0B; read in {ZHUI}/Qwen/Qwen2.5-32B/"
     f"index.md; the count is +0.8%). Config read from {LLM_PROF}."),
    ("Mistral Large 2 (2407)", "mistral-large-2407.json", "mistralai/Mistral-Large-Instruct-2407", 123_000_000_000,
     "https://mistral.ai/news/mistral-large-2407", "mistral", 2024,
     "Published: Mistral's release post '123 billion parameters'. Config keys transcribed from the ModelConfig that "
     "https://github.com/abhibambhaniya/GenZ-LLM-Analyzer/blob/13ebfb842b4248bf0252d089a904181e33ead320/GenZ/Models/"
     "Model_sets/mistral.py copies from the HF config.json (hidden 12288, 96 heads, 8 KV heads, FFN 28672, 88 layers, "
     "vocab 32768, context 128K), not read from config.json itself; untied as in every Mistral config."),
    ("Mistral Small 3 (24B, 2501)", "mistral-small-24b-2501.json", "mistralai/Mistral-Small-24B-Instruct-2501",
     23_572_403_200, f"{HF}/mistralai/Mistral-Small-24B-Instruct-2501", "mistral", 2025,
     "Published: model.safetensors.index.json total_size 47,144,806,400 B / 2 B (bf16) = 23,572,403,200, read in "
     f"{OPENMOSE}/7e8f62ab3f43bd70de656d5205d1cb4216b4ea58/main/tokenizer/mistralsmall3/model.safetensors.index.json "
     "(a copy of the HF repo's files); the model card says '24B' (rounded, -1.8%). Config: the repo's params.json "
     f"({OPENMOSE}/c394e06d2ea0fdad4679af83b9dd77b517a87f49/main/tokenizer/mistralsmall3/params.json) in HF key names; "
     f"the same HF keys are in {INDEX}."),
    ("Mistral Nemo 12B", "mistral-nemo-12b.json", "mistralai/Mistral-Nemo-Base-2407", 12_247_782_400,
     f"{HF}/mistralai/Mistral-Nemo-Base-2407", "mistral", 2024,
     f"Published: safetensors total 24,495,564,800 B / 2 B (bf16) = 12,247,782,400, read in {INDEX}; the model card "
     "says '12B' (rounded, +2.1%). Config read from https://github.com/kevinstephano/thunder_model_blocks/blob/"
     "a23dd8fe87e974d06332635cfd3064614c47ae27/thunder_model_blocks/mistral/mistral_config.py (a copy of "
     "Mistral-Nemo-Base-2407/config.json; max_position_embeddings 128000 as published)."),
    ("Phi-4 (14B)", "phi-4.json", "microsoft/phi-4", 14_659_507_200, f"{HF}/microsoft/phi-4", "phi4", 2024,
     "Published: model.safetensors.index.json total_size 29,319,014,400 B / 2 B (bf16) = 14,659,507,200, read in "
     f"{OPENMOSE}/edf9b23e634f0453ede04c845f909028aa3a9a96/main/tokenizer/phi-4/model.safetensors.index.json; the "
     "model card and technical report say '14B' (the nominal size, 4.7% under the count: not a rounding). Config "
     f"read from {OPENMOSE}/c394e06d2ea0fdad4679af83b9dd77b517a87f49/main/tokenizer/phi-4/config.json "
     "(_name_or_path microsoft/phi-4)."),
    ("Kimi K2", "kimi-k2.json", "moonshotai/Kimi-K2-Instruct", None, f"{HF}/moonshotai/Kimi-K2-Instruct", "kimi-k2",
     2025,
     "Published: model card and arXiv:2507.20534 '1T total, 32B activated', rounded to one significant figure: the "
     "count from the config is 1.026T (+2.6%), so params_published is the computed count. DeepSeek-V3 architecture "
     "(MLA) with 384 routed experts (2048 wide) top-8 + 1 shared, 1 dense layer, 64 heads, vocab 163840, no MTP. "
     f"Config keys transcribed from the Megatron arguments in {SLIME}/34bba0b8fc1fd5614636a2b8157d17037cd5f47f/"
     "scripts/models/kimi-k2.sh (slime, the GLM team's RL framework), not read from config.json itself; "
     "max_position_embeddings 131072 = the card's 128K context."),
    ("GLM-4.5", "glm-4.5.json", "zai-org/GLM-4.5", 355_000_000_000, "https://github.com/zai-org/GLM-4.5", "glm4.5",
     2025,
     "Published: zai-org/GLM-4.5 README '355 billion total parameters with 32 billion active' (the HF checkpoint's "
     "~358B adds the MTP layer, excluded here). 3 dense + 89 MoE layers of 160 routed experts (1536 wide) top-8 + 1 "
     "shared; GQA 96/8 heads of 128, partial RoPE, QK-norm. Config keys transcribed from the Megatron arguments in "
     f"{SLIME}/ffec53408dc6eac7ed6af9a17dc090e0458a7260/scripts/models/glm4.5-355B-A32B.sh, not read from "
     "config.json itself; context 131072 from the Megatron-Bridge GLM 4.5 page (pufanyi/Megatron-Bridge "
     "docs/models/llm/glm45.md); the GLM-4.6/4.7 config.json copies in the index have the same keys."),
    ("GLM-4.5-Air", "glm-4.5-air.json", "zai-org/GLM-4.5-Air", 106_000_000_000, "https://github.com/zai-org/GLM-4.5",
     "glm4.5", 2025,
     "Published: zai-org/GLM-4.5 README '106 billion total parameters and 12 billion active'. 1 dense + 45 MoE layers "
     "of 128 routed experts (1408 wide) top-8 + 1 shared; GQA 96/8 heads of 128, partial RoPE. Config read from "
     f"{INDEX} (an ms-swift log printing the loaded Glm4MoeConfig of GLM-4.5-Air)."),
]


def main(argv: list[str]) -> int:
    extra = argv[1:]  # e.g. --registry DIR
    for name, file, repo, published, published_url, family, year, notes in ROWS:
        cmd = [str(MLSYS), "catalog", "import", "--hf-config", str(HERE / "configs" / file), "--name", name,
               "--source-url", f"{HF}/{repo}/blob/main/config.json", "--params-source-url", published_url,
               "--family", family, "--release-year", str(year), "--last-verified", READ_ON, "--notes", notes,
               *(["--params-published", str(published)] if published is not None else []), *extra]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode:
            sys.stderr.write(f"{name}: {done.stdout}{done.stderr}")
            return done.returncode
        print(done.stdout.splitlines()[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
