"""`import` of N rows against `seed-demo --count N` (issue 19's target: within 1.5×), on its
own: `python -m benchmarks.import_speed [--sizes 10000] [--databases sqlite,postgresql]
[--runs 3]`. Prints one line per database and size; `make bench` times the same pair in its
full run (benchmarks.run) and reports the ratio among its targets.

For each run: a fresh database seeded with `seed-demo --count N` (timed), exported to CSV,
and that file imported into another fresh database (timed); both commands are timed whole,
as a user runs them, start-up included. The median of the runs is compared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from benchmarks import databases
from benchmarks.measure import Timing, time_command
from benchmarks.run import SEED, _init_db

TARGET = 1.5  # import within this many times seed-demo's time


def _timed(args: list[str], url: str) -> float:
    result = time_command(args, url)
    if not isinstance(result, Timing):
        raise SystemExit(f"{' '.join(args[:1])}: {result}")
    return result.median


def measure(backend: str, size: int, scratch: Path, postgres_url: str) -> tuple[float, float]:
    """(seconds for seed-demo, seconds for import) of one run at `size`."""
    csv_file = scratch / "export.csv"
    with databases.database(backend, scratch, postgres_url) as source:
        _init_db(source)
        seeding = _timed(["seed-demo", "--count", str(size), "--seed", str(SEED)], source)
        _timed(["export", str(csv_file)], source)
    with databases.database(backend, scratch, postgres_url) as target:
        _init_db(target)
        importing = _timed(["import", str(csv_file)], target)
    csv_file.unlink()
    return seeding, importing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_speed")
    parser.add_argument("--sizes", default="10000", help="comma-separated row counts")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("KOMMUNKARTA_TEST_POSTGRES_URL", databases.DEFAULT_POSTGRES_URL),
    )
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kommunkarta-import-") as folder:
        for backend in options.databases.split(","):
            problem = backend == "postgresql" and databases.postgres_problem(options.postgres_url)
            if problem:
                print(f"{backend}: not available ({problem})")
                continue
            for size in (int(s) for s in options.sizes.split(",")):
                runs = [
                    measure(backend, size, Path(folder), options.postgres_url)
                    for _ in range(options.runs)
                ]
                seeding = statistics.median(s for s, _ in runs)
                importing = statistics.median(i for _, i in runs)
                ratio = importing / seeding
                verdict = "met" if ratio <= TARGET else "missed"
                print(
                    f"{backend}, N = {size:,}: seed-demo {seeding:.1f} s, import {importing:.1f} s"
                    f" ({ratio:.2f}× of seed-demo; target ≤ {TARGET}×: {verdict}; "
                    f"median of {len(runs)}: seed {[round(s, 1) for s, _ in runs]}, "
                    f"import {[round(i, 1) for _, i in runs]})"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
