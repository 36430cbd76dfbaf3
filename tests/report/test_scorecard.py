"""The 22-wall scorecard of one configuration, and its bad input."""

from __future__ import annotations

import pytest

import pipeline

H100_POD = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"
NUMERIC = {"serving": [1, 2, 3, 4, 5, 6, 7, 12, 13, 17, 18, 21, 22],
           "training": [1, 2, 3, 8, 9, 10, 11, 14, 15, 17, 18, 19, 21, 22]}


def numeric(wall: dict) -> bool:
    return any(isinstance(f["value"], (int, float)) and not isinstance(f["value"], bool) for f in wall["figures"])


@pytest.fixture(scope="module")
def cards() -> dict[str, list[dict]]:
    return {
        "serving": pipeline.scorecard("serving", model="Llama 2 70B", hardware="H100 SXM5 80GB", tp=8, batch=16,
                                      prompt_len=2048, output_len=256, request_rate=2.0, precision="fp16"),
        "training": pipeline.scorecard(
            "training", model="Llama 3.1 70B", cluster=H100_POD, gpus=512, tp=8, pp=4, global_batch=512,
            seq_len=8192, compute_dtype="bf16",
            training={"storage": "NVIDIA DGX SuperPOD H100 storage fabric (GDS, per node)",
                      "data_pipeline": "pre-tokenized (Megatron indexed dataset, int32 ids), 2048-token seq"}),
    }


@pytest.mark.parametrize("study", ["serving", "training"])
def test_every_wall_appears_and_the_applicable_ones_have_numbers(cards, study):
    card = cards[study]
    assert [w["wall"] for w in card] == list(range(1, 23))
    for w in card:
        assert w["name"] and w["domain"] and w["explanation"], w["wall"]
        if w["wall"] in NUMERIC[study]:
            assert numeric(w), (study, w["wall"], w["figures"])
        for f in w["figures"]:
            assert "unit" in f


def test_the_scorecard_reads_the_sweep_row(cards):
    row = pipeline.evaluate_serving("Llama 2 70B", "H100 SXM5 80GB", tp=8, batch=16, prompt_len=2048,
                                    output_len=256, request_rate=2.0, precision="fp16", breakdown=False)
    itl = {f["column"]: f["value"] for f in cards["serving"][3]["figures"]}["itl_s"]
    assert itl == row["itl_s"][0]  # the same expressions, not a second implementation


def test_serving_synthesis_meets_the_target(cards):
    synthesis = {f["column"]: f["value"] for f in cards["serving"][21]["figures"]}
    bandwidth = synthesis["required_memory_bandwidth_bytes_per_s"]
    assert bandwidth is not None
    # the required bandwidth, put back through the serving plan, gives 0.8 x the ITL
    from pipeline import formulas, runs
    from pipeline.spec import parse_spec
    from pipeline.studies import serving

    p = runs.prepare(parse_spec({"study": "serving", "axes": {
        "model": ["Llama 2 70B"], "hardware": ["H100 SXM5 80GB"], "tp": [8], "batch": [16], "prompt_len": [2048],
        "output_len": [256], "precision": ["fp16"]}}))
    import polars as pl

    frame = p.space.frame().with_columns(_bw=pl.lit(bandwidth))
    out = formulas.plan(frame, p.space.units, ["itl_s"], serving.FORMULAS,
                        rebind={"memory_bandwidth_bytes_per_s": "_bw"}).frame.collect()
    assert out["itl_s"][0] == pytest.approx(synthesis["target_itl_s"], rel=1e-9)


def test_markdown_shows_figures_with_prefixed_units(cards):
    from pipeline.report.scorecard import Wall, markdown

    wall = Wall(2, "memory", "node", [("memory_per_device_bytes", 27.08e9, "B"), ("batch", 16, ""),
                                      ("ttft_p99_s", None, "s")], True, "against capacity")
    text = markdown([wall], "feasible · ITL 11.9 ms")
    assert text.splitlines()[0] == "feasible · ITL 11.9 ms"
    assert "| 2 | memory | node | yes | memory_per_device_bytes = 27.1 GB; batch = 16; ttft_p99_s = – | " \
           "against capacity |" in text


def test_card_carries_the_row_the_walls_read(cards):
    from pipeline.report.scorecard import card

    c = card("serving", model="Llama 2 70B", hardware="H100 SXM5 80GB", tp=8, batch=16, prompt_len=2048,
             output_len=256, request_rate=2.0, precision="fp16")
    assert [w.as_dict() for w in c.walls] == cards["serving"]
    assert c.row["tp"] == 8 and c.units["itl_s"] == "s"


@pytest.mark.parametrize("study", ["serving", "training"])
def test_the_carbon_wall_says_how_the_region_s_intensity_was_computed(cards, study):
    """The default region, United States, is Ember's generation-based figure (regions catalog)."""
    wall = next(w for w in cards[study] if w["wall"] == 18)
    assert "in United States (generation-based grid intensity)" in wall["explanation"]
