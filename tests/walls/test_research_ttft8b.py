"""registry_data/research/r-ttft8b/terms.py: the figures it derives from a log's own numbers, by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-ttft8b"


@pytest.fixture(scope="module")
def terms():
    return script(HERE / "terms.py", "r_ttft8b_terms")


def test_iteration_tokens_by_hand(terms):
    # 125 req/s, TPOT 27 ms, P 871, G 129: decode 125 x 128 x 0.027 = 432, prompts 125 x 0.027 x 871 = 2,939.6
    assert terms.iteration_tokens(125.0, 0.027, 871.0, 129.0) == pytest.approx(432.0 + 2939.625)


def test_prompt_chunks_by_hand(terms):
    assert terms.prompt_chunks(871.0, 12000.0, 432.0) == 1  # 11,568 tokens of room
    assert terms.prompt_chunks(871.0, 1024.0, 432.0) == 2  # ceil(871 / 592)
    assert terms.prompt_chunks(871.0, 400.0, 432.0) == 871  # no room: one token an iteration


def test_offline_share_and_responses_by_hand(terms):
    # NVIDIA B200 x8: Offline 136,752 tok/s over 129 tokens = 1,060.09 req/s; Server 999.47 req/s
    assert terms.offline_share(999.47, 136752.0, 129.0) == pytest.approx(999.47 / 1060.093, rel=1e-6)
    assert terms.streamed_responses_per_s(999.47, 129.0) == pytest.approx(128931.63)  # 999.47 x 129
