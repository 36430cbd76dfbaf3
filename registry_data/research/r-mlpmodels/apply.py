"""MLPerf's RetinaNet in the models catalog and a handful of its published MLPerf Inference results in the
measurements catalog (issue 12: predict more of the published rows). The model row's figures are derived
by ``retinanet_layers.py`` (the layer list of the MLPerf reference; tests/catalogs/test_r_mlpmodels.py
checks it against torchvision's published parameter and multiply-accumulate counts); the measurement rows
are validation rows, never fitted to. 3D-UNet is left out (see README.md). Rows of the same name are
replaced, so a second run changes nothing. Run from the repository root:

    .venv/bin/python registry_data/research/r-mlpmodels/apply.py [registry_dir]
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from retinanet_layers import mlperf_retinanet  # noqa: E402

from pipeline.catalogs.io import read_catalog, write_catalog  # noqa: E402

REGISTRY = Path(__file__).parent.parent.parent
VERIFIED = datetime.date(2026, 12, 4)
TRAINING = ("https://github.com/mlcommons/training/tree/aa344c7fb900e82ed19fb94aebfed50c63ab2204/"
            "retired_benchmarks/retinanet")
INFERENCE = ("https://github.com/mlcommons/inference/blob/b66003e10e2db4b8c36a448b0545ec90fcc6e9e9/"
             "vision/classification_and_detection/README.md")
V41 = "https://github.com/mlcommons/inference_results_v4.1/blob/198fc46799b3328b36ee4bcbdebfa2db5a8e6183/closed/"
V51 = "https://github.com/mlcommons/inference_results_v5.1/blob/965182b03376a00fcae415c54e560e1c83937932/closed/"
DATASET = "OpenImages v6 MLPerf validation subset (24,576 images at 800x800)"


def model_row() -> dict:
    r = mlperf_retinanet()
    return {
        "name": "RetinaNet", "family": "retinanet", "model_type": "cnn", "is_moe": False, "release_year": 2017,
        "params_published": float(r["params"]), "params_source_url": INFERENCE, "n_layers": r["convs"],
        "forward_flop_per_sample": 2.0 * r["macs"], "activation_elements_per_sample": float(r["activation_elements"]),
        "input_resolution_px": 800, "source_url": TRAINING, "last_verified": VERIFIED, "source_quality": "primary",
        "notes": (
            "MLPerf Inference/Training RetinaNet (Lin et al. 2017, arXiv:1708.02002): ResNeXt50-32x4d backbone "
            "(torchvision, FrozenBatchNorm), FPN P3-P7 with 256 channels, 4-conv classification and regression "
            "towers shared over the 5 levels, 9 anchors, 264 OpenImages classes, 800x800 input (mlcommons/training "
            "retired_benchmarks/retinanet/ssd/model and README; the inference README's 800x800 model). No source "
            "publishes its parameters or FLOPs: all figures DERIVED by registry_data/research/r-mlpmodels/"
            "retinanet_layers.py from that layer list, which reproduces torchvision's published figures exactly "
            "(resnext50_32x4d 25,028,904 params / 4.23 GMACs; retinanet_resnet50_fpn 34,014,999 params / 151.54 "
            "GMACs at 800x800). params = weights + conv biases (frozen BN statistics are buffers, folded at "
            "inference). FLOP = 2 x 201.21 GMACs of the convolutions; anchor decoding and NMS are not counted. "
            "n_layers = 111 conv calls per image (53 backbone, 8 FPN, the head's 10 convs at each of 5 levels). "
            "activations = every conv output plus the stem max pool. norm_type null: the FPN and head convs have "
            "no batch norm and the backbone's is frozen."),
    }


# offline: (row name, the system's results folder, samples per second, hardware, devices, system)
ROWS = [
    ("v4.1-nvidia-h200x8", V41 + "NVIDIA/results/H200-SXM-141GBx8_TRT", 14439.0, "H200 SXM 141GB", 8,
     "NVIDIA H200 (8x H200-SXM-141GB), TensorRT 10.2.0, CUDA 12.4"),
    ("v4.1-supermicro-h100x8", V41 + "Supermicro/results/SYS_821GE_TNHR_H100_SXM_80GBx8_TRT", 14405.1,
     "H100 SXM5 80GB", 8, "Supermicro SYS-821GE-TNHR (8x H100-SXM-80GB), TensorRT 10.2.0, CUDA 12.4"),
    ("v4.1-asus-h100pcie-x8", V41 + "ASUSTeK/results/ESC8000A_E12_H100x8_TRT", 9421.13, "H100 PCIe 80GB", 8,
     "ASUSTeK ESC8000A-E12 (8x H100-PCIe-80GB), TensorRT 10.2.0, CUDA 12.4"),
    ("v4.1-dell-h100nvl-x4", V41 + "Dell/results/R760xa_H100NVL_PCIe_94GBx4_TRT", 5438.57, "H100 NVL 94GB", 4,
     "Dell PowerEdge R760xa (4x H100 NVL), TensorRT 10.2.0, CUDA 12.4"),
    ("v4.1-dell-l40sx4", V41 + "Dell/results/R760xa_L40Sx4_TRT", 3345.71, "L40S", 4,
     "Dell PowerEdge R760xa (4x L40S), TensorRT 10.2.0, CUDA 12.4"),
    ("v4.1-lenovo-l40sx2", V41 + "Lenovo/results/Lenovo_2xL40S_TRT", 1629.08, "L40S", 2,
     "Lenovo ThinkEdge SE455 V3 (2x L40S), TensorRT 9.3.0, CUDA 12.3"),
    ("v4.1-lenovo-l4x2", V41 + "Lenovo/results/Lenovo_2xL4_TRT", 453.667, "L4", 2,
     "Lenovo ThinkEdge SE360 V2 (2x L4), TensorRT 9.3.0, CUDA 12.5"),
    ("v4.1-dell-l4x1", V41 + "Dell/results/XR8620_L4x1_TRT", 222.619, "L4", 1,
     "Dell PowerEdge XR8620t (1x L4), TensorRT 10.2.0, CUDA 12.4"),
    ("v5.1-dell-h200nvl-x8", V51 + "Dell/results/XE7745_H200_NVL_141GBx8_TRT", 13421.4, "H200 NVL 141GB", 8,
     "Dell PowerEdge XE7745 (8x H200-NVL-141GB), TensorRT 10.11, CUDA 12.9; result 5.1-0023"),
    ("v5.1-dell-l4x4", V51 + "Dell/results/R570-L4-PCIE-24GBx4_TRT", 905.51, "L4", 4,
     "Dell PowerEdge R570 (4x L4-PCIe-24GB), TensorRT 10.11, CUDA 12.9; result 5.1-0019"),
]
# single-stream p90: (row name, results folder of a system above, 90th percentile latency ns, mean ns, hardware)
SINGLE = [
    ("v4.1-lenovo-l40s", V41 + "Lenovo/results/Lenovo_2xL40S_TRT", 1809411, 1776510, "L40S"),
    ("v4.1-lenovo-l4", V41 + "Lenovo/results/Lenovo_2xL4_TRT", 3813831, 3773005, "L4"),
    ("v4.1-dell-l4", V41 + "Dell/results/XR8620_L4x1_TRT", 4829757, 4732906, "L4"),
]
PRECISION = ("weight and input data types int8 (the submission's measurements/<system>/retinanet/<scenario>/"
             "<system>_<scenario>.json; v5.1: summary_results.json weight_data_types)")


def measurement_rows() -> list[dict]:
    # framework: NVIDIA's MLPerf harness (its profile and the other harness rows: r-accwire2/tensorrt_apply.py)
    common = {"model": "RetinaNet", "compute_dtype": "int8", "weight_dtype": "int8", "framework": "TensorRT",
              "dataset": DATASET, "source_quality": "primary", "last_verified": VERIFIED}
    rows = []
    for name, system, value, hardware, devices, notes in ROWS:
        url = f"{system}/retinanet/Offline/performance/run_1/mlperf_log_summary.txt"
        rows.append(common | {
            "name": f"mlperf-inf-{name}-retinanet-offline", "metric": "samples_per_s", "value": value, "unit": "1/s",
            "hardware": hardware, "devices": devices, "scenario": "offline", "source_url": url,
            "source_location": f"MLPerf Inference closed division, {url.split('/closed/')[1]}: "
                               f"'Samples per second: {value:g}' (Result is : VALID)",
            "notes": f"{notes}. {PRECISION}. Batch not published. Validation row (never fitted)."})
    systems = {system: notes for _, system, _, _, _, notes in ROWS}
    for name, system, p90, mean, hardware in SINGLE:
        url = f"{system}/retinanet/SingleStream/performance/run_1/mlperf_log_summary.txt"
        rows.append(common | {
            "name": f"mlperf-inf-{name}-retinanet-singlestream-p90", "metric": "latency_s", "value": p90 / 1e6,
            "unit": "ms", "hardware": hardware, "devices": 1, "scenario": "single-stream", "batch": 1,
            "statistic": "p90", "source_url": url,
            "source_location": f"MLPerf Inference closed division, {url.split('/closed/')[1]}: "
                               f"'90th percentile latency (ns) : {p90}'",
            "notes": f"{systems[system]}. {PRECISION}. One sample per query (samples_per_query 1) on one accelerator; "
                     f"same log: mean {mean} ns. Validation row (never fitted)."})
    return rows


def _replace(frame: pl.DataFrame, rows: list[dict]) -> pl.DataFrame:
    new = pl.DataFrame(rows, schema={c: frame.schema[c] for c in set().union(*rows)})
    kept = frame.filter(~pl.col("name").is_in(new["name"].to_list()))
    return pl.concat([kept, new], how="diagonal_relaxed").select(frame.columns)


def apply(registry: Path = REGISTRY) -> tuple[int, int]:
    models = _replace(read_catalog("models", registry), [model_row()])
    write_catalog(models, "models", registry, source=__file__)
    rows = measurement_rows()
    write_catalog(_replace(read_catalog("measurements", registry), rows), "measurements", registry, source=__file__)
    return 1, len(rows)


if __name__ == "__main__":
    m, n = apply(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY)
    print(f"models: {m} row (RetinaNet) written; measurements: {n} RetinaNet rows written")
