"""Every robustness case, in the order the table lists them."""

from __future__ import annotations

from tests.robustness import catalog_columns, options, spec_keys, why
from tests.robustness.harness import Case


def all_cases() -> list[Case]:
    return why.the_cases() + options.the_cases() + spec_keys.the_cases() + catalog_columns.the_cases()
