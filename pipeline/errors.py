"""Input errors that name the table, row and column, and list every bad cell at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    row: int | None  # 1-based data row; None for a table- or column-level problem
    column: str | None
    message: str  # "got -1.0, expected > 0 (B/s)"
    label: str | None = None  # the row's name, when it has one

    def render(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}" + (f" ({self.label})" if self.label else ""))
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message  # the source line names the table


class InputError(ValueError):
    """Bad user input (catalog, CSV, sweep spec, CLI argument). The CLI exits with code 2."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        n = len(problems)
        lines = [f"{source}: {n} problem{'s' if n != 1 else ''}"]
        lines += [f"  - {p.render()}" for p in problems]
        super().__init__("\n".join(lines))


def did_you_mean(name: str, known: list[str]) -> str:
    """"; did you mean 'A', 'B'?" with ``suggest``'s closest names, or "" when none is close."""
    close = suggest(name, known)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def suggest(name: str, known: list[str]) -> list[str]:
    """The closest known names, ignoring case: by difflib's similarity to the whole name or to
    its beginning as long as ``name`` (a short name typed for a long one: "h100x" is closest to
    "H100 ..."), else known names containing ``name``."""
    import difflib

    typed = name.lower()

    def score(k: str) -> float:
        whole = k.lower()
        return max(difflib.SequenceMatcher(None, typed, whole).ratio(),
                   difflib.SequenceMatcher(None, typed, whole[:len(typed)]).ratio())

    scored = sorted(((score(k), k) for k in dict.fromkeys(known)), reverse=True)  # ties: as difflib breaks them
    close = [k for s, k in scored if s >= 0.6][:3]
    return close or [k for k in known if typed in k.lower()][:3]


class UnknownNameError(InputError):
    """Unknown catalog names, each with the closest known names as suggestions.

    ``names`` holds (column, name, known names) triples; all are reported at once.
    """

    def __init__(self, source: str, names: list[tuple[str | None, str, list[str]]]):
        problems, self.suggestions = [], []
        for column, name, known in names:
            close = suggest(name, known)
            self.suggestions += close
            problems.append(Problem(None, column, f"unknown name {name!r}{did_you_mean(name, known)}"))
        super().__init__(source, problems)
