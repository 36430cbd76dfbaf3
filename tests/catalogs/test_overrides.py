"""What-if overrides (--set, [overrides]): the same what-if in evaluate and sweep, units parsed by pint."""

from __future__ import annotations

import json

import pytest

import pipeline
from pipeline.catalogs.overrides import parse
from pipeline.errors import InputError


def test_parse_converts_to_the_column_unit():
    got = parse(['hardware.memory_bandwidth_bytes_per_s=4 TB/s', "hardware.tdp_w=0.7 kW"])
    assert got == {"hardware.memory_bandwidth_bytes_per_s": 4e12, "hardware.tdp_w": 700.0}


def test_bad_overrides_are_reported_together():
    with pytest.raises(InputError) as err:
        parse(["hardware.memory_bandwidth_bytes_per_s=4 TFLOP/s", "hardware.bogus=3", "regions.pue=0",
               "nope.x=1", "no-equals"])
    text = str(err.value)
    for part in ("expected a quantity in B/s", "unknown numeric column 'bogus'", "expected a value > 0",
                 "unknown table 'nope'", "expected table.column=value"):
        assert part in text


def test_evaluate_and_sweep_see_the_same_what_if():
    what_if = {"hardware.memory_bandwidth_bytes_per_s": "6.7 TB/s"}
    one = pipeline.evaluate("Llama 3 8B", "H100 SXM5 80GB", batch=8, step="decode", overrides=what_if)
    many = pipeline.sweep({"axes": {"model": ["Llama 3 8B"], "hardware": ["H100 SXM5 80GB"], "batch": [8]},
                           "overrides": what_if})
    decode = many.filter(many["step"] == "decode")
    assert one["memory_bandwidth_bytes_per_s"][0] == 6.7e12
    assert one["latency_s"][0] == decode["latency_s"][0]
    plain = pipeline.evaluate("Llama 3 8B", "H100 SXM5 80GB", batch=8, step="decode")
    assert one["memory_time_s"][0] == pytest.approx(plain["memory_time_s"][0] * 3.35 / 6.7, rel=1e-12)


def test_sweep_records_the_overrides(mlsys, tmp_path):
    (tmp_path / "spec.toml").write_text('[axes]\nmodel = ["ResNet-50"]\nhardware = ["A100 SXM4 80GB"]\n')
    out = mlsys("sweep", "--spec", "spec.toml", "--out", "o", "--no-map",
                "--set", "hardware.peak_fp16_flop_per_s=624 TFLOP/s")
    assert out.exit_code == 0, out.stderr
    manifest = json.loads(next((tmp_path / "o").glob("*/manifest.json")).read_text())
    assert manifest["spec"]["overrides"] == {"hardware.peak_fp16_flop_per_s": 624e12}


def test_a_quantity_is_a_number_and_a_unit_never_an_expression():
    """Issue 14: pint evaluates '9**9**9' (it never returns); an override is a number and a unit only."""
    with pytest.raises(InputError) as err:
        parse(["hardware.memory_bandwidth_bytes_per_s=9**9**9 B/s", "hardware.tdp_w=10**10**7 W"])
    assert [p.column for p in err.value.problems] == ["hardware.memory_bandwidth_bytes_per_s", "hardware.tdp_w"]
    assert all("expected a number with a unit" in p.message for p in err.value.problems)
