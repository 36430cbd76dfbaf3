"""``mlsys columns``: the column dictionary, and that it covers what evaluate prints."""

from __future__ import annotations

import json


def test_json_lists_every_output_column_with_a_unit(mlsys):
    res = mlsys("columns", "--format", "json")
    assert res.exit_code == 0, res.stderr
    entries = json.loads(res.stdout)
    assert all("unit" in e and "column_name" in e for e in entries)
    names = [(e["study"], e["column_name"]) for e in entries]
    assert len(names) == len(set(names))  # unique within each study
    units = {e["column_name"]: e["unit"] for e in entries if e["study"] == "node"}
    assert units["latency_s"] == "s"
    ev = mlsys("evaluate", "--model", "Llama 2 7B", "--hardware", "A100 SXM4 80GB", "--step", "decode", "--json")
    assert ev.exit_code == 0, ev.stderr
    assert json.loads(ev.stdout)["units"] == units  # every column evaluate prints, with the same unit


def test_unknown_study(mlsys):
    res = mlsys("columns", "--study", "nodes")
    assert res.exit_code == 2 and "got 'nodes', expected one of node, serving, training" in res.stderr
