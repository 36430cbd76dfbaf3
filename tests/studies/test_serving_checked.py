"""The serving plan's schema check, once per space (``studies.serving_checked``, issue 15: serving speed)."""

from __future__ import annotations

import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.errors import InputError
from pipeline.spec import parse_spec
from pipeline.studies import per_key, serving, serving_checked

L70, H100, A100 = "Llama 2 70B", "H100 SXM5 80GB", "A100 SXM4 80GB"


def _space(hardware: list[str]):
    return serving.build_space(load_catalogs(), parse_spec({"study": "serving", "axes": {
        "model": [L70], "hardware": hardware, "compute_dtype": ["fp16", "bf16"], "tp": [4, 8], "pp": [1],
        "batch": [1, 32], "prompt_len": [512], "output_len": [128]}}))


def test_a_space_s_plan_is_checked_once_for_its_chunks_and_again_for_another_space_or_options(monkeypatch):
    """A sweep's chunks (other hardware rows of one space) check the plan once; the plan on no hardware row (its
    options differ: no identical rows to compute once), another space and ``breakdown`` check it again; the rows
    are those of a plan checked every time."""
    calls = []
    monkeypatch.setattr(serving_checked, "check_plan", lambda plan, schema: calls.append(schema))
    per_key.forget()
    space = _space([H100, A100])
    side = space.hardware_side
    assert side.height >= 12
    got = [serving.build(space, side.slice(i, 4)).frame.collect() for i in (0, 4)]
    assert len(calls) == 1 and calls[0] is serving.SCHEMA
    serving.build(space, side.slice(8, 4))  # other rows, the same dtypes and options
    assert len(calls) == 1
    serving.build(space, side.head(0))
    serving.build(space, side.slice(0, 4), breakdown=True)
    assert len(calls) == 3
    serving.build(_space([H100, A100]), side.slice(0, 4))  # another space (its own sides)
    assert len(calls) == 4
    per_key.forget()  # a new sweep's plan is checked again
    serving.build(space, side.slice(0, 4))
    assert len(calls) == 5
    monkeypatch.undo()
    per_key.forget()
    assert all(g.equals(serving.build(space, side.slice(i, 4)).frame.collect()) for g, i in zip(got, (0, 4)))
    per_key.forget()


def test_a_plan_that_fails_its_check_fails_on_every_chunk(monkeypatch):
    """A failed check is not remembered: the next chunk's plan is checked and fails again."""
    def wrong(plan, schema):
        raise InputError("output schema 'serving'", [])

    monkeypatch.setattr(serving_checked, "check_plan", wrong)
    per_key.forget()
    space = _space([H100])
    for _ in range(2):
        with pytest.raises(InputError):
            serving.build(space, space.hardware_side)
    per_key.forget()
