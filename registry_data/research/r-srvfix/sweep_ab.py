"""The serving bench's 3 M-row sweep (`runs.run`, per-key tables let go before each) with this tree's memory view and
lengths table, and without them (`views.MEMORY_TERMS` and `views.LENGTHS` emptied: main's database but for the code
around it), alternated, N rounds; wall and CPU s of each, medians: `PYTHONPATH=TREE python sweep_ab.py [N]`."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ab_runs import alternate  # noqa: E402

from pipeline.runs import views  # noqa: E402

terms, lengths = dict(views.MEMORY_TERMS), dict(views.LENGTHS)


def emptied() -> None:
    views.MEMORY_TERMS.clear()
    views.LENGTHS.clear()


def with_them() -> None:
    emptied()
    views.MEMORY_TERMS.update(terms)
    views.LENGTHS.update(lengths)


alternate({"with": with_them, "without": emptied}, int(sys.argv[1]) if len(sys.argv) > 1 else 3)
