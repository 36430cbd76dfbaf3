"""The one formatter for numbers shown to people: engineering prefixes and units.

``quantity(80e9, "B")`` is "80 GB", ``quantity(3.35e12, "B/s")`` is "3.35 TB/s",
``quantity(16.2e6, "USD")`` is "16.2 M USD", ``quantity(0.0412, "s")`` is "41.2 ms".
Bytes take decimal prefixes (1 GB = 1e9 B), as everywhere else in the project; a unit
spelt with a binary prefix (GiB) is printed as given. Machine output (``--json``, CSV,
Parquet) never goes through here: it keeps full precision.
"""

from __future__ import annotations

import math
from typing import Any

MISSING = "–"  # NULL: not computed or not applicable
PREFIXES = [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""),
            (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f")]
# Units a prefix joins directly (GB, TFLOP/s, kW, kgCO2e/h): the part before "/" is one of these.
SI_BASES = {"B", "bit", "FLOP", "W", "J", "Wh", "gCO2e", "L", "Hz"}
WHOLE_BASES = {"B", "bit", "FLOP"}  # counted things: 0.5 B/param, not 500 mB/param
# Clock units for long durations: "41.2 ms", "2.5 h", "116 d" read better than ks and Ms.
# (from, seconds per unit, unit): seconds below 1000 s, minutes below 2 h, hours below 2 days.
CLOCK = [(172_800.0, 86_400.0, "d"), (7_200.0, 3_600.0, "h"), (1_000.0, 60.0, "min")]
DIMENSIONLESS = {None, "", "1", "dimensionless"}


def _digits(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant figures, no exponent, trailing zeros dropped."""
    if value == 0:
        return "0"
    decimals = max(digits - 1 - math.floor(math.log10(abs(value))), 0)
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _scaled(value: float, digits: int, prefixes: list[tuple[float, str]]) -> tuple[str, str]:
    """Mantissa in [1, 1000) after rounding, and its prefix (``prefixes`` largest first); values
    beyond the end prefixes keep those (1e18 B is "1000000 PB")."""
    magnitude = abs(value)
    if magnitude < prefixes[-1][0] * 1e-3:  # below the smallest prefix's range: mantissa and exponent
        return _number(value, digits), ""
    i = next((i for i, (factor, _) in enumerate(prefixes) if magnitude >= factor), len(prefixes) - 1)
    if i > 0 and float(_digits(magnitude / prefixes[i][0], digits)) >= 1000:
        i -= 1  # 999.96 k rounds to 1000 k: that is 1 M
    factor, prefix = prefixes[i]
    return _digits(value / factor, digits), prefix


def _number(value: float, digits: int) -> str:
    """A dimensionless number: plain between 1e-3 and 1e6, else mantissa and exponent (6.74e9)."""
    if value == 0 or 1e-3 <= abs(value) < 1e6:
        return _digits(value, max(digits, len(str(int(abs(value))))) if abs(value) >= 1 else digits)
    exponent = math.floor(math.log10(abs(value)))
    mantissa = float(_digits(value / 10**exponent, digits))
    if abs(mantissa) >= 10:  # 9.996e9 rounds up to 10e9
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{_digits(mantissa, digits)}e{exponent}"


def quantity(value: Any, unit: str | None = None, digits: int = 3) -> str:
    """``value`` with ``unit`` for a person: ``digits`` significant figures, an engineering
    prefix where the unit takes one (a separate "k"/"M"/... before units that do not, such as
    USD or tok), minutes, hours and days for long durations, "–" for NULL, never "-0"."""
    if value is None:
        return MISSING
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = str(value)
        return f"{text} {unit}" if unit not in DIMENSIONLESS else text
    value = float(value) if isinstance(value, float) or abs(value) >= 1e6 else value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return ("-" if value < 0 else "") + "∞" + ("" if unit in DIMENSIONLESS else f" {unit}")
        if value == 0:
            value = 0.0  # -0.0 prints as 0
    if unit in DIMENSIONLESS:
        return str(value) if isinstance(value, int) else _number(value, digits)
    if value == 0:
        return f"0 {unit}"
    if unit == "s":
        for start, seconds, name in CLOCK:
            if abs(value) >= start:
                return f"{_digits(value / seconds, digits)} {name}"
        mantissa, prefix = _scaled(value, digits, [p for p in PREFIXES if p[0] <= 1])
        return f"{mantissa} {prefix}s"
    base = unit.split("/", 1)[0]
    if base in SI_BASES:
        mantissa, prefix = _scaled(value, digits, [p for p in PREFIXES if base not in WHOLE_BASES or p[0] >= 1])
        return f"{mantissa} {prefix}{unit}"
    # Units that take no prefix of their own (USD, tok, kWh): "16.2 M USD", "393 k tok/s"; whole
    # counts (not rates) below a million stay exact: "2048 tok".
    count = float(value).is_integer() and "/" not in unit
    if abs(value) >= (1e6 if count else 1e3):
        mantissa, prefix = _scaled(value, digits, [p for p in PREFIXES if p[0] >= 1])
        return f"{mantissa} {prefix} {unit}" if prefix else f"{mantissa} {unit}"
    return f"{_number(value, digits)} {unit}"


def cell(value: Any, digits: int = 3) -> str:
    """A table cell without a unit (the unit is in the header): numbers as ``quantity`` gives them."""
    return quantity(value, None, digits)
