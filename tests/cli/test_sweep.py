"""``mlsys sweep``: the dry run writes nothing; a run prints its rows and the study's map; a bad
serving axis exits 2 and writes nothing."""

from __future__ import annotations

import pytest

H100_POD = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"


def test_dry_run_prints_rows_and_writes_nothing(mlsys, tmp_path, registry):
    spec = tmp_path / "s.toml"
    spec.write_text('[axes]\nhardware = ["A100 SXM4 80GB", "H100 SXM5 80GB"]\n'
                    'model = ["ResNet-50", "Llama 2 7B"]\nbatch = [1, 8]\nseq_len = [512]\n'
                    'workload = ["inference"]\n')
    out = tmp_path / "out"
    res = mlsys("sweep", "--spec", spec, "--out", out, "--dry-run", "--registry", registry)
    assert res.exit_code == 0, res.stderr
    # 2 accelerators x (ResNet-50: 2 batches x forward + Llama 2 7B: 2 batches x prefill/decode)
    assert "12 configurations" in res.stdout
    assert "Nothing written" in res.stdout
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry", "s.toml"]


def test_node_run_prints_the_design_space_map(mlsys, tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('[axes]\nhardware = ["A100 SXM4 80GB", "H100 SXM5 80GB"]\nmodel = ["Llama 2 7B"]\n'
                    'batch = [1]\nseq_len = [2048]\nworkload = ["inference"]\ncompute_dtype = ["fp16"]\n')
    res = mlsys("sweep", "--spec", spec, "--out", tmp_path / "out")
    assert res.exit_code == 0, res.stderr
    assert "wrote 4 rows" in res.stdout  # 2 accelerators x prefill, decode
    assert "Design-space map" in res.stdout
    # decode at batch 1 is memory-bound: the accelerator with more bandwidth (3.35 > 2.04 TB/s) is fastest
    decode = next(ln for ln in res.stdout.splitlines() if "│ decode" in ln)
    assert "H100 SXM5 80GB fp16" in decode


def test_training_run_prints_the_fastest_layouts(mlsys, tmp_path):
    spec = tmp_path / "t.toml"
    spec.write_text(f'study = "training"\n[axes]\ncluster = ["{H100_POD}"]\nmodel = ["Llama 3 8B"]\n'
                    'gpus = [8, 16]\ntp = [1, 8]\npp = [1]\nmicrobatch = [1]\nglobal_batch = [128]\n'
                    'seq_len = [2048]\ncompute_dtype = ["bf16"]\n')
    res = mlsys("sweep", "--spec", spec, "--out", tmp_path / "out")
    assert res.exit_code == 0, res.stderr
    assert "fastest feasible layout of each model at the largest GPU count" in res.stdout
    best = next(ln for ln in res.stdout.splitlines() if ln.startswith("│ Llama 3 8B"))
    cells = [c.strip() for c in best.split("│")[1:-1]]
    assert cells[2] == "16"  # the largest GPU count of the run
    assert cells[4].startswith("DP2 TP8 PP1") or cells[4].startswith("DP16 TP1 PP1")  # 16 GPUs = dp x tp


SERVING_SPEC = 'study = "serving"\n[axes]\nmodel = ["Llama 2 7B"]\nhardware = ["H100 SXM5 80GB"]\n{line}\n'


@pytest.mark.parametrize(("line", "field"), [
    ("tp = [0]", "axes.tp[0]"),
    ('kv_dtype = ["fp61"]', "axes.kv_dtype"),
])
def test_cli_sweep_with_a_bad_serving_axis_exits_2_and_writes_nothing(mlsys, tmp_path, line, field):
    (tmp_path / "bad_serving.toml").write_text(SERVING_SPEC.format(line=line))
    out = tmp_path / "out"
    res = mlsys("sweep", "--spec", "bad_serving.toml", "--out", out)
    assert res.exit_code == 2, res.stdout[-500:]
    assert field in res.stderr
    assert not out.exists() or not any(out.iterdir())


def test_cli_sweep_reads_a_spec_given_by_its_path(mlsys, tmp_path):
    spec = tmp_path / "bad_serving.toml"
    spec.write_text(SERVING_SPEC.format(line="tp = [0]"))
    out = tmp_path / "out"
    res = mlsys("sweep", "--spec", spec, "--out", out)
    assert res.exit_code == 2, res.stderr[-500:]
    assert "axes.tp[0]" in res.stderr
    assert not out.exists()
