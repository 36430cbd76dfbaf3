"""Read NVIDIA's MLPerf Inference harness settings (closed/NVIDIA/configs/<benchmark>/<Scenario>/__init__.py)
for the accelerators of the catalog's int8 CNN / BERT validation rows, straight from the mlcommons results
repositories (bare git mirrors made by the session's ``fetch`` tool; nothing is checked out). Diagnosis only:
nothing here feeds a catalog. Run from the repository root:

    .venv/bin/python registry_data/research/r-nonllm/mlperf_configs.py /work/.mirror

Each config class inherits from the scenario's base class (and from other classes in the same file); the
script resolves the assignments along that chain with ``ast`` (literal values only) and prints, per round,
benchmark, scenario and system: gpu_batch_size, use_graphs, start_from_device, gpu_inference_streams,
gpu_copy_streams, precision / use_fp8, power_limit.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROUNDS = {"v3.0": "mlcommons+inference_results_v3.0", "v4.1": "mlcommons+inference_results_v4.1"}
BENCHMARKS = ("resnet50", "retinanet", "bert")
SCENARIOS = ("Offline", "Server", "SingleStream")
# Systems of the validation rows (class-name prefixes in NVIDIA's config files).
SYSTEMS = ("A100_SXM_80GBx1", "A100_SXM_80GBx8", "H100_SXM_80GBx1", "H100_SXM_80GBx8", "H100_PCIe_80GBx1",
           "H100_NVL_94GBx1", "H200_SXM_141GBx1", "L40Sx1", "L4x1")
FIELDS = ("gpu_batch_size", "use_graphs", "start_from_device", "gpu_inference_streams", "gpu_copy_streams",
          "precision", "use_fp8", "power_limit", "use_small_tile_gemm_plugin")


def show(mirror: Path, path: str) -> str | None:
    done = subprocess.run(["git", "--git-dir", str(mirror), "show", f"HEAD:{path}"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def assignments(tree: ast.Module) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """Per class: its literal assignments and its base-class names."""
    values: dict[str, dict] = {}
    bases: dict[str, list[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
        own = {}
        for item in node.body:
            if isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Name):
                try:
                    own[item.targets[0].id] = ast.literal_eval(item.value)
                except ValueError:
                    own[item.targets[0].id] = ast.unparse(item.value)
        values[node.name] = own
    return values, bases


def resolved(name: str, values: dict, bases: dict, outer: dict) -> dict:
    """A class's settings: the file's base class settings (outer), then its bases', then its own."""
    out = dict(outer)
    for base in bases.get(name, []):
        if base in values:
            out.update(resolved(base, values, bases, outer))
    out.update(values.get(name, {}))
    return out


def main(root: Path) -> None:
    for round_name, repo in ROUNDS.items():
        mirror = root / repo / "repo"
        for bench in BENCHMARKS:
            base_text = show(mirror, f"closed/NVIDIA/configs/{bench}/__init__.py") or ""
            base_values, base_bases = assignments(ast.parse(base_text))
            outer = resolved("GPUBaseConfig", base_values, base_bases, {})
            for scenario in SCENARIOS:
                text = show(mirror, f"closed/NVIDIA/configs/{bench}/{scenario}/__init__.py")
                if text is None:
                    continue
                values, bases = assignments(ast.parse(text))
                for name in values:
                    if name not in SYSTEMS:
                        continue
                    got = resolved(name, values, bases, outer)
                    row = {f: got[f] for f in FIELDS if f in got}
                    print(round_name, bench, scenario, name, row)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/.mirror"))
