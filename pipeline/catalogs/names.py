"""Names people type: the one resolver from a name a user typed (a CLI option, a spec key, the
Python API) to a catalog name.

A typed name matches a catalog name when their keys (``name_key``) are equal: case, spaces and
punctuation are ignored, except that a decimal point between digits is kept ("3.1" is not "31")
and any other separation between two digits counts once ("3 8b" is not "38b"). So
``llama 3 8b``, ``llama3-8b`` and ``LLAMA-3-8B`` are all "Llama 3 8B". Failing that, a key that
begins catalog names' keys means them (``b200``: "B200 (HGX B200)"); failing that, typed words
that each begin a word of a name, in order (``a100 80gb``: "A100 SXM4 80GB" and "A100 PCIe 80GB").
One such name is the name meant; several are ambiguous (``h100``: three H100 rows), an
``AmbiguousNameError`` listing them (the CLI exits 2). An exact name always wins.

Only names people type are resolved. Catalog rows that name other rows (a measurement's model and
hardware, a cluster's accelerator) stay strict: a typo there is an error, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.errors import InputError, Problem

_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_BETWEEN_DIGITS = re.compile(r"(?<=\d)[^a-z0-9\x01]+(?=\d)")
_OTHER = re.compile(r"[^a-z0-9\x01\x02]")
_WORD = re.compile(r"[a-z0-9]+(?:\.(?=\d)[a-z0-9]+)*")


def name_key(name: str) -> str:
    """The form two names are compared in: lower case, no spaces or punctuation, except a decimal
    point between digits (kept) and a separation between two digits (one ``_``)."""
    text = _DECIMAL.sub("\x01", name.lower())
    text = _BETWEEN_DIGITS.sub("\x02", text)
    return _OTHER.sub("", text).replace("\x01", ".").replace("\x02", "_")


class AmbiguousNameError(InputError):
    """Typed names that could mean several catalog names; ``candidates`` maps each to them."""

    def __init__(self, source: str, names: list[tuple[str | None, str, list[str]]]):
        self.candidates = {name: found for _, name, found in names}
        problems = [Problem(None, column, f"{name!r} is ambiguous: it could be {', '.join(repr(c) for c in found)}; "
                                          "give one of them") for column, name, found in names]
        super().__init__(source, problems)


def candidates(name: str, known: Iterable[str]) -> list[str]:
    """The catalog names ``name`` may mean, best first: itself when known; else those whose key
    equals its key; else those whose key begins with it; else those whose words it begins.
    Empty: unknown."""
    return ranked(name, known)[1]


def ranked(name: str, known: Iterable[str]) -> tuple[int, list[str]]:
    """``candidates`` with the rule that found them: 0 the exact name, 1 the same key, 2 a key
    beginning, 3 word beginnings (4: none)."""
    known = list(dict.fromkeys(known))
    if name in known:
        return 0, [name]
    key = name_key(name)
    if not key:
        return 4, []
    keys = {k: name_key(k) for k in known}
    typed = _words(name)
    for rule, match in ((1, lambda k: keys[k] == key), (2, lambda k: keys[k].startswith(key)),
                        (3, lambda k: _words_begin(typed, _words(k)))):
        found = [k for k in known if match(k)]
        if found:
            return rule, found
    return 4, []


def _words(name: str) -> list[str]:
    return _WORD.findall(name.lower())


def _words_begin(typed: list[str], words: list[str]) -> bool:
    """Each typed word begins a word of the name, in order ("a100 80gb": "A100 SXM4 80GB")."""
    i = 0
    for t in typed:
        while i < len(words) and not words[i].startswith(t):
            i += 1
        if i == len(words):
            return False
        i += 1
    return bool(typed)


def resolve(name: str, known: Iterable[str], column: str | None = None, source: str = "name") -> str:
    """The catalog name a typed ``name`` means; ``name`` itself when unknown (the caller's check
    reports it with suggestions); ``AmbiguousNameError`` when it could be several."""
    found = candidates(name, known)
    if len(found) > 1:
        raise AmbiguousNameError(source, [(column, name, found)])
    return found[0] if found else name


def resolve_all(names: Iterable[tuple[str | None, str, Iterable[str]]], source: str) -> list[str]:
    """``resolve`` of many (column, name, known names) at once, in order, with one
    ``AmbiguousNameError`` listing every ambiguous name."""
    out, ambiguous = [], []
    for column, name, known in names:
        found = candidates(name, known)
        if len(found) > 1:
            ambiguous.append((column, name, found))
        out.append(found[0] if found else name)
    if ambiguous:
        raise AmbiguousNameError(source, ambiguous)
    return out


def resolve_across(name: str, known: dict[str, list[str]], source: str = "catalog") -> tuple[str, str] | None:
    """The (table, catalog name) a typed ``name`` means among several tables' names: the
    candidates of the best rule any table matches by (``ranked``), the first table's on an
    exact name; None: unknown; ``AmbiguousNameError`` when several rows could be meant."""
    found = {table: ranked(name, names) for table, names in known.items()}
    best = min((rule for rule, _ in found.values()), default=4)
    if best == 4:
        return None
    rows = [(table, c) for table, (rule, names) in found.items() if rule == best for c in names]
    if len(rows) > 1 and best > 0:
        raise AmbiguousNameError(source, [("name", name, [f"{c} ({table})" for table, c in rows])])
    return rows[0]


def list_items(cell: str | None) -> list[str]:
    """The names of a comma-separated catalog cell (an efficiency profile's ``graphed_models`` or
    ``window_attention_models``), stripped; none for a null."""
    return [] if cell is None else [name.strip() for name in cell.split(",") if name.strip()]
