"""The one range check of the sweep spec: rules for a setting's values, and a reader that
collects every problem under the key path it came from (``axes.batch[1]``, ``training.dp_sgd``).

A rule takes the value as written (TOML or a Python dict) and returns it converted
(ints stay ints, numbers become floats), or raises ``Expected`` with what the value should be;
the reader turns that into ``<key path>: got <value>, expected <what>``. Booleans are never
numbers (TOML's ``true`` is not 1) and NaN or infinity never passes a number rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.errors import Problem

MAX_AXIS_VALUES = 10_000  # values of one axis; more is surely a generated mistake, and costly to check


class Expected(ValueError):
    """A value does not fit its rule; ``what`` reads after "expected"."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Rule:
    """What one value may be: ``convert`` returns the checked value or raises ``Expected`` with what
    it should be ("an integer > 0"); ``many`` reads after "a non-empty list of" ("integers > 0")."""

    many: str
    convert: Callable[[Any], Any]

    def __call__(self, value: Any) -> Any:
        return self.convert(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def integer(minimum: int = 1, maximum: int | None = None) -> Rule:
    """A whole number in [minimum, maximum]; the message names the bound the value breaks."""
    low = "> 0" if minimum == 1 else f">= {minimum}"
    high = f"<= {maximum}"

    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise Expected(f"an integer {low}")
        if maximum is not None and value > maximum:
            raise Expected(f"an integer {high}")
        return value
    return Rule(f"integers {low}", convert)


def number(low: float | None = None, high: float | None = None, *, low_open: bool = True,
           high_open: bool = False, noun: str = "a number") -> Rule:
    """A finite number between ``low`` and ``high`` (each open or closed; None: unbounded)."""
    if low is not None and high is not None and not low_open:  # a closed range: [0, 1)
        what = f"{noun} in {'(' if low_open else '['}{_num(low)}, {_num(high)}{')' if high_open else ']'}"
    else:
        parts = ([] if low is None else [f"{'>' if low_open else '>='} {_num(low)}"]) + \
                ([] if high is None else [f"{'<' if high_open else '<='} {high}"])
        what = f"{noun} {' and '.join(parts)}"

    def convert(value: Any) -> float:
        fits = _is_number(value) and (low is None or (value > low if low_open else value >= low)) \
            and (high is None or (value < high if high_open else value <= high))
        if not fits:
            raise Expected(what)
        return float(value)
    return Rule(what.replace("a number", "numbers", 1), convert)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def positive(upper: float | None = None) -> Rule:
    """A finite number > 0 (and <= ``upper``)."""
    return number(0, upper)


def non_negative(noun: str = "a number") -> Rule:
    """A finite number >= 0."""
    return number(0, low_open=False, noun=noun)


def fraction(high_open: bool = True) -> Rule:
    """A share: a number in [0, 1) (or [0, 1])."""
    return number(0, 1, low_open=False, high_open=high_open)


def one_of(*choices: Any, note: str = "") -> Rule:
    """One of a fixed set (same type: ``true`` is not 1)."""
    listed = f"{', '.join(map(str, choices))}{note}"

    def convert(value: Any) -> Any:
        if not any(value == c and type(value) is type(c) for c in choices):
            raise Expected(f"one of {listed}")
        return value
    return Rule(f"values, each one of {listed}", convert)


def name(what: str = "a name") -> Rule:
    """A non-empty string (a catalog row's name, a framework ...)."""

    def convert(value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise Expected(what)
        return value
    return Rule("names", convert)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Expected("true or false")
    return value


FLAG = Rule("true/false values", _flag)
NAME = name()


class Checker:
    """Collects the problems of one spec; every check returns a usable value so that parsing
    goes on and the spec's every problem is reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def bad(self, key: str, message: str) -> None:
        self.problems.append(Problem(None, key, message))

    def table(self, raw: dict, key: str, known: tuple[str, ...]) -> Table:
        """The [key] table of ``raw`` (empty if absent), its unknown keys reported."""
        value = raw.get(key, {})
        if not isinstance(value, dict):
            self.bad(key, f"got {value!r}, expected a table ([{key}])")
            value = {}
        return Table(self, value, key, known)

    def unknown_keys(self, raw: dict, known: tuple[str, ...], prefix: str) -> None:
        for k in raw:
            if k not in known:
                self.bad(f"{prefix}{k}", f"unknown key; expected one of {', '.join(known)}")


class Table:
    """One table of the spec and its key path; reads values through rules."""

    def __init__(self, checker: Checker, raw: dict, path: str, known: tuple[str, ...]) -> None:
        self.checker, self.raw, self.path = checker, raw, path
        checker.unknown_keys(raw, known, f"{path}." if path else "")

    def key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def __contains__(self, key: str) -> bool:
        return self.raw.get(key) is not None

    def value(self, key: str, rule: Rule, default: Any) -> Any:
        """One value (``default`` when absent, or None from a Python dict: TOML has no null);
        a bad value gives ``default`` and a problem."""
        value = self.raw.get(key)
        if value is None:
            return default
        try:
            return rule(value)
        except Expected as exc:
            self.checker.bad(self.key(key), f"got {value!r}, expected {exc.what}")
            return default

    def values(self, key: str, rule: Rule, default: tuple | None, all_ok: bool = False) -> tuple | None:
        """An axis: a non-empty list (a single value counts as a list of one), each element checked;
        ``all_ok``: the word "all" gives None (every row of the catalog)."""
        value = self.raw.get(key)
        if value is None:
            return default
        if all_ok and value == "all":
            return None
        if not isinstance(value, list):  # one value: an axis of one
            try:
                return (rule(value),)
            except Expected as exc:
                self.checker.bad(self.key(key), f"got {value!r}, expected {exc.what}"
                                 + (' or "all"' if all_ok else ""))
                return default
        if not value:
            self.checker.bad(self.key(key), f"got [], expected a non-empty list of {rule.many}"
                             + (' or "all"' if all_ok else ""))
            return default
        if len(value) > MAX_AXIS_VALUES:  # before any value is checked: a huge list is refused at once
            self.checker.bad(self.key(key), f"has {len(value):,} values, expected at most {MAX_AXIS_VALUES:,} "
                                            "(split the sweep into several specs)")
            return default
        out, seen = [], {}
        for i, v in enumerate(value):
            try:
                out.append(rule(v))
            except Expected as exc:
                self.checker.bad(f"{self.key(key)}[{i}]", f"got {v!r}, expected {exc.what}")
                continue
            first = seen.setdefault((type(out[-1]), out[-1]), i)
            if first != i:  # a repeated value would write every configuration twice
                self.checker.bad(f"{self.key(key)}[{i}]", f"got {v!r} again (also [{first}]), expected distinct values")
        return tuple(out) if len(out) == len(value) and len(seen) == len(value) else default
