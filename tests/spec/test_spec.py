"""Sweep spec checks: every bad key in one message, exit 2, no run written, name suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import runs
from pipeline.errors import InputError, UnknownNameError
from pipeline.runs.manifest import HASHED_COMPRESSION, identity
from pipeline.spec import DEFAULT_SPEC, SweepSpec, load_spec, parse_spec

# main's flat SweepSpec, recorded before the split (how: tests/spec/data/make_snapshot.py)
SNAPSHOT = json.loads((Path(__file__).parent / "data" / "as_dict_main.json").read_text())["specs"]


def flat(text: str) -> str:
    return " ".join(text.split())


def problems(raw: dict) -> dict[str, str]:
    """key -> message of every problem ``parse_spec`` reports."""
    with pytest.raises(InputError) as exc:
        parse_spec(raw)
    return {p.column: p.message for p in exc.value.problems}


# -- parse_spec ------------------------------------------------------------------------

def test_small_spec_parses(small_spec):
    spec = parse_spec(small_spec)
    assert isinstance(spec, SweepSpec)
    assert spec.axes.hardware == ("A100 SXM4 80GB", "H100 SXM5 80GB", "MI300X", "T4")
    assert spec.axes.batch == (1, 8, 64)
    assert spec.axes.seq_len == (384, 2048)
    assert spec.axes.workload == ("inference", "training")
    assert spec.efficiency.eta_compute is None


def test_defaults_and_all():
    spec = parse_spec({"axes": {"hardware": "all", "model": "all"}})
    assert spec.axes.hardware is None and spec.axes.model is None
    assert spec.axes.batch == (1,) and spec.axes.workload == ("inference",)
    assert parse_spec({"efficiency": {"eta_compute": 1.0}}).efficiency.eta_compute == 1.0


@pytest.mark.parametrize("axes, key, message", [
    ({"batch": [0]}, "axes.batch[0]", "got 0, expected an integer > 0"),
    ({"batch": [8, -4]}, "axes.batch[1]", "got -4, expected an integer > 0"),
    ({"batch": [1.5]}, "axes.batch[0]", "got 1.5, expected an integer > 0"),
    ({"batch": []}, "axes.batch", "got [], expected a non-empty list of integers > 0"),
    ({"seq_len": [0]}, "axes.seq_len[0]", "got 0, expected an integer > 0"),
    ({"workload": ["serving"]}, "axes.workload[0]", "got 'serving', expected one of inference, training"),
    ({"colour": ["red"]}, "axes.colour", "unknown key; expected one of hardware, model"),
    ({"compute_dtype": []}, "axes.compute_dtype", "got [], expected a non-empty list of names"),
])
def test_bad_axis_is_named(axes, key, message):
    found = problems({"axes": axes})
    assert list(found) == [key]
    assert found[key].startswith(message)


@pytest.mark.parametrize("eta", [1.5, 0, -0.2, float("nan"), "0.5", True])
def test_bad_eta_compute_is_named(eta):
    found = problems({"efficiency": {"eta_compute": eta}})
    assert found == {"efficiency.eta_compute": f"got {eta!r}, expected a number > 0 and <= 1.0"}


@pytest.mark.parametrize("raw, key, text", [
    ({"colour": 1}, "colour", "unknown key; expected one of study, axes"),
    ({"study": "cluster"}, "study", "got 'cluster', expected one of node"),
    ({"filters": {"hardware": {"colour": ["red"]}}}, "filters.hardware.colour", "unknown filter column"),
    ({"output": {"compression": "gzip"}}, "output.compression", "got 'gzip', expected one of"),
    ({"software": {"launch_overhead_per_kernel_s": -1e-6}}, "software.launch_overhead_per_kernel_s",
     "got -1e-06, expected a number > 0"),
])
def test_other_bad_keys_are_named(raw, key, text):
    found = problems(raw)
    assert key in found
    assert found[key].startswith(text)


def test_every_bad_key_is_listed_in_one_message():
    raw = {"axes": {"hardware": ["A100 SXM4 80GB"], "batch": [0, -4, 8], "seq_len": [0],
                    "workload": ["inference", "serving"], "colour": ["red"]},
           "efficiency": {"eta_compute": 1.5}}
    with pytest.raises(InputError) as exc:
        parse_spec(raw, "my spec")
    msg = str(exc.value)
    assert msg.startswith("my spec: 6 problems")
    for line in ("axes.batch[0]: got 0, expected an integer > 0",
                 "axes.batch[1]: got -4, expected an integer > 0",
                 "axes.seq_len[0]: got 0, expected an integer > 0",
                 "axes.workload[1]: got 'serving', expected one of inference, training",
                 "axes.colour: unknown key",
                 "efficiency.eta_compute: got 1.5, expected a number > 0 and <= 1.0"):
        assert line in msg


@pytest.mark.parametrize("raw, key", [({"axes": "all"}, "axes"), ({"efficiency": [0.5]}, "efficiency")])
def test_section_that_is_not_a_table_is_rejected(raw, key):
    assert key in problems(raw)


def test_load_spec_reports_bad_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[axes\nbatch = [1]\n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_spec(bad)
    with pytest.raises(InputError, match="file not found"):
        load_spec(tmp_path / "missing.toml")


def test_a_misspelt_packaged_spec_name_is_suggested():
    """tryout: `--spec servng` said only "file not found", not what --spec takes."""
    with pytest.raises(InputError) as err:
        load_spec("servng")
    assert "expected a TOML file or a packaged spec name (default, serving, serving_cost, training" in str(err.value)
    assert "did you mean 'serving'" in str(err.value)


def test_load_spec_reads_toml_keys(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[axes]\nbatch = [0]\nseq_len = [0]\n')
    with pytest.raises(InputError) as exc:
        load_spec(path)
    assert str(exc.value).startswith(f"sweep spec {path}: 2 problems")


# -- the record the manifest keeps -----------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.stem for p in DEFAULT_SPEC.parent.glob("*.toml")))
def test_every_bundled_spec_parses(name):
    spec = load_spec(name)
    assert spec.study == {"default": "node"}.get(name, name.split("_")[0])  # the file's first line says so
    assert spec.source == f"sweep spec {DEFAULT_SPEC.parent / (name + '.toml')}"


def test_the_snapshot_covers_every_bundled_spec():
    assert {p.stem for p in DEFAULT_SPEC.parent.glob("*.toml")} <= set(SNAPSHOT)


@pytest.mark.parametrize("name", sorted(SNAPSHOT))
def test_as_dict_is_what_main_recorded(name):
    """Same content and key order as main's flat spec, the codec as the run id hashes it: run ids do not change
    (issue 11). Main recorded lz4, the default then; zstd is the default since issue 15."""
    case = SNAPSHOT[name]
    spec = parse_spec(case["raw"], case["source"])
    recorded = case["as_dict"] | {"output": case["as_dict"]["output"] | {"compression": HASHED_COMPRESSION}}
    assert json.dumps(identity(spec)) == json.dumps(recorded)
    assert spec.output.compression == case["raw"].get("output", {}).get("compression", "zstd")


@pytest.mark.parametrize("name", sorted(SNAPSHOT))
def test_every_setting_holds_what_main_held(name):
    """Each of main's flat fields, read under its section (``axes.batch``, ``output.dir``)."""
    case = SNAPSHOT[name]
    spec = parse_spec(case["raw"], case["source"])
    for path, expected in case["values"].items():
        if path == "output.compression":  # the default changed (lz4 -> zstd, issue 15): the test above
            continue
        value = spec
        for part in path.split("."):
            value = getattr(value, part)
        assert json.dumps(value) == json.dumps(expected), path


# -- names are checked against the catalogs ------------------------------------------------

@pytest.mark.parametrize("axes, wanted", [
    ({"model": ["Llama 2 7X"]}, "Llama 2 7B"),
    ({"hardware": ["H100 SXM5 80GX"]}, "H100 SXM5 80GB"),
    ({"compute_dtype": ["fp61"]}, "fp16"),
])
def test_unknown_name_suggests_the_closest(registry, axes, wanted):
    with pytest.raises(UnknownNameError) as exc:
        runs.prepare(parse_spec({"axes": axes}), registry)
    assert wanted in exc.value.suggestions
    bad = next(iter(axes.values()))[0]
    assert f"unknown name {bad!r}; did you mean {wanted!r}" in str(exc.value)


def test_every_unknown_name_is_listed(registry):
    spec = parse_spec({"axes": {"hardware": ["H100 SXM5 80GX"], "model": ["Llama 2 7X"]}})
    with pytest.raises(InputError) as exc:
        runs.prepare(spec, registry)
    assert "H100 SXM5 80GX" in str(exc.value) and "Llama 2 7X" in str(exc.value)


# -- the CLI -------------------------------------------------------------------------------

BAD_TOML = """\
[axes]
hardware = ["A100 SXM4 80GB"]
model = ["ResNet-50"]
batch = [0, -4, 8]
seq_len = [0]
workload = ["inference", "serving"]
colour = ["red"]

[efficiency]
eta_compute = 1.5
"""


def test_cli_bad_spec_exits_2_lists_every_key_and_writes_nothing(mlsys, tmp_path, registry):
    spec = tmp_path / "bad.toml"
    spec.write_text(BAD_TOML)
    out = tmp_path / "out"
    out.mkdir()
    res = mlsys("sweep", "--spec", spec, "--out", out, "--registry", registry)
    assert res.exit_code == 2, res.stderr
    err = flat(res.stderr)
    assert "Traceback" not in err
    assert err.count("error:") == 1
    assert "6 problems" in err
    for key in ("axes.batch[0]: got 0", "axes.batch[1]: got -4", "axes.seq_len[0]: got 0",
                "axes.workload[1]: got 'serving'", "axes.colour: unknown key",
                "efficiency.eta_compute: got 1.5"):
        assert key in err
    assert list(out.iterdir()) == []
    assert not (tmp_path / "outputs").exists()


def test_cli_unknown_model_in_spec_exits_2_with_suggestion(mlsys, tmp_path, registry):
    spec = tmp_path / "names.toml"
    spec.write_text('[axes]\nhardware = ["H100 SXM5 80GB"]\nmodel = ["Llama 2 7X"]\n')
    out = tmp_path / "out"
    res = mlsys("sweep", "--spec", spec, "--out", out, "--registry", registry)
    assert res.exit_code == 2, res.stderr
    assert "unknown name 'Llama 2 7X'; did you mean 'Llama 2 7B'" in flat(res.stderr)
    assert not out.exists() or list(out.iterdir()) == []


def test_cli_evaluate_unknown_model_suggests(mlsys, tmp_path, registry):
    res = mlsys("evaluate", "--model", "Llama 2 7X", "--hardware", "H100 SXM5 80GB", "--registry", registry)
    assert res.exit_code == 2, res.stderr
    err = flat(res.stderr)
    assert "Traceback" not in err
    assert "unknown name 'Llama 2 7X'" in err and "'Llama 2 7B'" in err
    assert res.stdout == ""


@pytest.mark.parametrize("raw, key", [
    ({"efficiency": {"framework": "Megatron-LX"}}, "efficiency.framework"),
    ({"axes": {"region": ["Frannce"]}}, "axes.region"),
    ({"data": {"storage": "s4"}}, "data.storage"),
    ({"study": "training", "axes": {"cluster": ["DGX SuperPOX"]}}, "axes.cluster"),
    ({"study": "training", "training": {"data_pipeline": "imagenot"}}, "training.data_pipeline"),
    ({"study": "serving", "axes": {"distill_to": ["Llama 3 8X"]}}, "axes.distill_to"),
])
def test_an_unknown_catalog_name_is_named_by_its_key(registry, raw, key):
    with pytest.raises(UnknownNameError) as exc:
        runs.prepare(parse_spec(raw), registry)
    assert key in str(exc.value) and "unknown name" in str(exc.value)
