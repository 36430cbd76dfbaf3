"""What results.duckdb's build (on its own thread, beside the chunks) costs the serving bench's 3 M-row sweep:
`runs.run` with the build as is, and with `database.create_database` a no-op, alternated, N rounds; wall and CPU s
of each (the per-key tables let go before each run): `PYTHONPATH=TREE python database_share.py [N]`."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ab_runs import alternate  # noqa: E402

from pipeline.runs import database  # noqa: E402

create = database.create_database


def as_is() -> None:
    database.create_database = create


def no_database() -> None:
    database.create_database = lambda *a, **k: None


alternate({"as is": as_is, "no database": no_database}, int(sys.argv[1]) if len(sys.argv) > 1 else 3)
