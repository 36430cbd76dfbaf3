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


# The vocabulary as issue 11 item 4 states it, written out here rather than read from the code.
BOUND_WORDS = {"compute", "memory", "network", "overhead", "host link", "input pipeline", "bubble", "capacity"}


def test_json_gives_every_bound_column_its_words_and_their_meaning(mlsys):
    res = mlsys("columns", "--format", "json")
    assert res.exit_code == 0, res.stderr
    entries = json.loads(res.stdout)
    bound = {(e["study"], e["column_name"]): e for e in entries if "words" in e}
    assert set(bound) == {("node", "bound"), ("serving", "bound"), ("serving", "ttft_bound"), ("training", "bound")}
    for entry in bound.values():
        assert set(entry["words"]) == BOUND_WORDS
        assert "device memory" in entry["words"]["memory"] and "does not fit" in entry["words"]["capacity"]
    assert all("words" not in e for e in entries if e["column_name"] == "latency_s")


def test_table_ends_with_the_bound_words(mlsys):
    res = mlsys("columns", "--study", "training")
    assert res.exit_code == 0, res.stderr
    section = res.stdout.split("bound: the term that sets the time", 1)[1]
    flat = " ".join(section.split())
    for word in BOUND_WORDS:
        assert f"│ {word} " in section, word
    assert "pipeline stages idle while the pipeline fills and drains" in flat
