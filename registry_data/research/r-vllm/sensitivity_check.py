"""Wall 21 stays exact with vLLM's unfused activation quant on: the serving elasticity tests of
tests/walls/test_sensitivity.py (central differences) rerun under framework vLLM, on a checkout whose bundled catalog
states the switch (``activation_quant.py --vllm``, undone after):

    .venv/bin/python registry_data/research/r-vllm/activation_quant.py --vllm
    .venv/bin/python registry_data/research/r-vllm/sensitivity_check.py
    git checkout registry_data/efficiency_profiles.parquet
"""

from __future__ import annotations

from tests.walls import test_sensitivity as t


def main() -> None:
    t.SMOOTH = {"efficiency": {"compute_model": "profile", "framework": "vLLM"}}
    t.test_serving_workload_elasticities_match_differences()
    print("batch and prompt-length elasticities match their differences under vLLM")
    t.SERVING = t.SMOOTH | {"study": "serving", "axes": t.SERVING["axes"]}
    t.test_serving_elasticities_match_a_central_difference()
    print("peak, memory-bandwidth, link and launch elasticities match their central differences under vLLM")


if __name__ == "__main__":
    main()
