"""The bytes a base weight takes on the GPU (pipeline.studies.knobs.working_weight_bytes): 16-bit, FP8
(fp8_params) or NVFP4 row- and column-wise (fp4_params), by hand from the formats' layouts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pipeline.studies.knobs import working_weight_bytes


@pytest.mark.parametrize(("fp8", "fp4", "expected"), [
    (False, False, 2.0),  # bf16
    (True, False, 1.0),  # Float8Tensor
    # NVFP4: a 4-bit value (0.5 B) and a 1-B E4M3 scale per 16 values (0.0625 B), row-wise and column-wise copies
    (False, True, 2 * (0.5 + 0.0625)),
    (True, True, 1.125),  # the NVFP4 weights replace the FP8 ones (the FP8 healing copy stays on the host)
])
def test_working_weight_bytes(fp8, fp4, expected):
    assert working_weight_bytes(SimpleNamespace(fp8_params=fp8, fp4_params=fp4)) == expected


def test_a_70b_base_in_nvfp4_fits_where_16_bits_did_not():
    """Llama 2 70B's 6.9e10 weights (r-lorarows/memory_probe.py: 69.07 GB at 1 B): 77.7 GB in NVFP4, 138.1 GB at 2 B."""
    nvfp4 = working_weight_bytes(SimpleNamespace(fp8_params=False, fp4_params=True))
    assert 6.907e10 * nvfp4 == pytest.approx(7.77e10, rel=1e-3)
