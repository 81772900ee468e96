"""The benchmark run: for each database and size, seed, time every endpoint and command next
to the naive Folium baseline and the floor, load-test the largest size, and write the report.

Options come from the command line or, for `make bench`, from BENCH_* environment variables.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks import databases, draw, load, reference, report
from benchmarks.load import WorkerMemory
from benchmarks.measure import (
    ROOT,
    Budget,
    NotAvailable,
    Result,
    Timing,
    time_command,
    time_requests,
)
from kommunkarta import create_app, db, geo
from kommunkarta.models import Initiative, State
from kommunkarta.services import setup
from kommunkarta.services.register import count_serving

BENEFIT = "efficiency"
MUNICIPALITY = "0180"  # Stockholm: the most initiatives, the heaviest municipality page
QUERY = "chattbot"
INITIATIVE = 1  # the first demo initiative: there at every size
COUNTS = f"/api/v1/municipalities?benefit={BENEFIT}"
SEED = 1
EXPORT_MAX = 10_000  # export and import are timed at sizes up to this many initiatives
EXPORTS = ("export", "export_floor")


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    path: str
    min_requests: int | None = None  # fewer for slow endpoints (exports)
    cold: bool = False  # also timed right after a write, when no cached result can be used

    @property
    def cold_key(self) -> str:
        return f"{self.key}_cold"

    @property
    def cold_label(self) -> str:
        return f"{self.label}, right after a write"


ENDPOINTS = [
    Endpoint("map", "GET / (map page)", "/", cold=True),
    Endpoint("map_benefit", f"GET /?benefit={BENEFIT}", f"/?benefit={BENEFIT}"),
    Endpoint("baseline", "naive Folium map", reference.BASELINE),
    Endpoint(
        "baseline_benefit",
        f"naive Folium map, benefit={BENEFIT}",
        f"{reference.BASELINE}?benefit={BENEFIT}",
    ),
    Endpoint("floor", "floor (cached body of GET /)", reference.floor_path("/")),
    Endpoint("counts", f"GET {COUNTS}", COUNTS, cold=True),
    Endpoint("counts_floor", "floor (cached counts body)", reference.floor_path(COUNTS)),
    Endpoint("list", "GET /initiatives (first page)", "/initiatives", cold=True),
    Endpoint(
        "municipality",
        f"GET /municipalities/{MUNICIPALITY}",
        f"/municipalities/{MUNICIPALITY}",
        cold=True,
    ),
    # its ten similar initiatives from the similarity index; the untimed first request builds
    # the index, and right after a write the page uses the previous one while it is rebuilt
    Endpoint(
        "initiative",
        f"GET /initiatives/{INITIATIVE} (with similar initiatives)",
        f"/initiatives/{INITIATIVE}",
        cold=True,
    ),
    Endpoint(
        "search",
        f"GET /api/v1/initiatives?q={QUERY}",
        f"/api/v1/initiatives?q={QUERY}",
        cold=True,
    ),
    # the same download again is sent from the copy kept at the first (until a write)
    Endpoint("export", "GET /export.csv (all)", "/export.csv", min_requests=5, cold=True),
    Endpoint(
        "export_floor",
        "floor (cached body of GET /export.csv)",
        reference.floor_path("/export.csv"),
        min_requests=5,
    ),
    # the map as an image: drawn once per filter, language and day, then served from the cache
    Endpoint("map_svg", "GET /map.svg", "/map.svg", cold=True),
    Endpoint("map_svg_benefit", f"GET /map.svg?benefit={BENEFIT}", f"/map.svg?benefit={BENEFIT}"),
    # what the map draws: its size gzipped is a target (the same at every size)
    Endpoint("boundaries", "GET /map/boundaries/municipalities", "/map/boundaries/municipalities"),
    Endpoint("timeline", "GET /api/v1/timeline", "/api/v1/timeline", cold=True),
    Endpoint("feed", "GET /feed.atom", "/feed.atom", cold=True),
]
LOAD_TARGETS = [
    ("map", "GET /", "/"),
    ("map_floor", "floor for GET /", reference.floor_path("/")),
    ("counts", f"GET {COUNTS}", COUNTS),
    ("counts_floor", "floor for the counts", reference.floor_path(COUNTS)),
]


@dataclass
class SizeResult:
    backend: str
    size: int
    requests: dict[str, Result] = field(default_factory=dict)
    commands: dict[str, Result] = field(default_factory=dict)


@dataclass
class BackendResult:
    backend: str
    problem: str | None = None  # why this database could not be benchmarked
    sizes: list[SizeResult] = field(default_factory=list)
    load: list[tuple[str, load.LoadResult]] | NotAvailable | None = None  # (label, result)
    load_size: int | None = None
    worker_memory: WorkerMemory | None = None
    # seconds from navigation to the drawn map in Chromium, by benchmarks.draw's profile key
    draw: dict[str, Timing] | NotAvailable | None = None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time Kommunkartan against a naive Folium baseline and a floor.",
    )
    parser.add_argument(
        "--sizes",
        default=env.get("BENCH_SIZES", "1000,10000,100000"),
        help="comma-separated numbers of demo initiatives (BENCH_SIZES)",
    )
    parser.add_argument(
        "--databases",
        default=env.get("BENCH_DATABASES", "sqlite,postgresql"),
        help="comma-separated: sqlite, postgresql (BENCH_DATABASES)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(env.get("BENCH_SECONDS", "3")),
        help="time spent on each endpoint after warm-up (BENCH_SECONDS)",
    )
    parser.add_argument(
        "--min-requests",
        type=int,
        default=int(env.get("BENCH_MIN_REQUESTS", "30")),
        help="timed requests per endpoint at least (BENCH_MIN_REQUESTS)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=int(env.get("BENCH_WARMUP", "5")),
        help="untimed requests to each endpoint first (BENCH_WARMUP)",
    )
    parser.add_argument(
        "--load-seconds",
        type=float,
        default=float(env.get("BENCH_LOAD_SECONDS", "10")),
        help="length of each load run at the largest size; 0 for none (BENCH_LOAD_SECONDS)",
    )
    parser.add_argument(
        "--draw-runs",
        type=int,
        default=int(env.get("BENCH_DRAW_RUNS", "5")),
        help="page loads in Chromium per profile at the largest size; 0 for none (BENCH_DRAW_RUNS)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(env.get("BENCH_OUTPUT", str(ROOT / "docs" / "benchmarks.md"))),
        help="the Markdown report to write (BENCH_OUTPUT)",
    )
    parser.add_argument(
        "--postgres-url",
        default=env.get("KOMMUNKARTA_TEST_POSTGRES_URL", databases.DEFAULT_POSTGRES_URL),
        help="PostgreSQL to make a schema in (KOMMUNKARTA_TEST_POSTGRES_URL)",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes takes numbers separated by commas, not {args.sizes!r}")
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(args.databases) - {"sqlite", "postgresql"}
    if unknown or not args.sizes or not args.databases:
        parser.error("--databases takes sqlite and/or postgresql; --sizes at least one number")
    return args


def _app(url: str) -> Flask:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"})
    reference.register(app)
    return app


def _settle(app: Flask) -> None:
    """Ask for the counts once and wait until the worker has built its in-memory counts in
    its thread (seconds at 100,000): the timings are of a warm worker, and those right after
    a write of the write caught up, not of a worker still reading the whole register."""
    with app.test_client() as client:
        client.get(COUNTS)
    deadline = time.monotonic() + 120
    while count_serving.building() and time.monotonic() < deadline:
        time.sleep(0.05)


def _init_db(url: str) -> None:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"})
    with app.app_context():
        setup.init_db(db.engine(), geo.current())
    app.extensions["db_engine"].dispose()


def _a_write(app: Flask) -> Callable[[], None] | None:
    """A write to public data as a moderator makes one: the last published initiative
    withdrawn and published again in turn, through an ORM session like every write of the
    app's (so the data version and the initiative changed are recorded). None when nothing
    is published."""
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        target = session.scalar(
            select(Initiative.id)
            .where(Initiative.state == State.PUBLISHED)
            .order_by(Initiative.id.desc())
            .limit(1)
        )
    if target is None:
        return None

    def write() -> None:
        with Session(engine) as session, session.begin():
            item = session.get_one(Initiative, target)
            withdrawn = item.state == State.PUBLISHED
            item.state = State.REJECTED if withdrawn else State.PUBLISHED

    return write


def bench_size(
    backend: str,
    size: int,
    url: str,
    options: argparse.Namespace,
    scratch: Path,
) -> SizeResult:
    result = SizeResult(backend, size)
    _init_db(url)
    seeding = time_command(["seed-demo", "--count", str(size), "--seed", str(SEED)], url)
    result.commands["seed"] = seeding
    say(f"  seed-demo --count {size}: {report.result_text(seeding, seconds=True)}")
    app = _app(url)
    write = _a_write(app)
    try:
        _settle(app)
        for endpoint in ENDPOINTS:
            if endpoint.key in EXPORTS and size > EXPORT_MAX:
                continue
            budget = Budget(
                seconds=options.seconds,
                min_requests=min(options.min_requests, endpoint.min_requests or 10**9),
                warmup=min(1, options.warmup) if endpoint.min_requests else options.warmup,
            )
            timing = time_requests(app, endpoint.path, budget)
            result.requests[endpoint.key] = timing
            say(f"  {endpoint.label}: {report.result_text(timing)}")
            if endpoint.cold and write is not None and isinstance(timing, Timing):
                cold = Budget(options.seconds, min(10, options.min_requests), 50, warmup=0)
                timing = time_requests(app, endpoint.path, cold, before_each=write)
                result.requests[endpoint.cold_key] = timing
                say(f"  {endpoint.cold_label}: {report.result_text(timing)}")
        if size <= EXPORT_MAX:
            result.commands.update(_export_import(app, backend, url, options, scratch))
    finally:
        app.extensions["db_engine"].dispose()
    return result


def _export_import(
    app: Flask,
    backend: str,
    url: str,
    options: argparse.Namespace,
    scratch: Path,
) -> dict[str, Result]:
    """Time the `export` command into a CSV file and the `import` of that file into a fresh
    database of the same kind."""
    commands = set(app.cli.commands)
    csv_file = scratch / "export.csv"
    exported = time_command(["export", str(csv_file)], url, available="export" in commands)
    say(f"  export FILE.csv (CLI): {report.result_text(exported, seconds=True)}")
    if isinstance(exported, NotAvailable):
        imported: Result = NotAvailable("not available (no export file to import)")
    else:
        with databases.database(backend, scratch, options.postgres_url) as target:
            _init_db(target)
            imported = time_command(
                ["import", str(csv_file)], target, available="import" in commands
            )
        csv_file.unlink()
    say(f"  import FILE.csv (CLI): {report.result_text(imported, seconds=True)}")
    return {"export": exported, "import": imported}


def load_run(url: str, options: argparse.Namespace):
    """Load-test the map page, the counts and their floors; then one worker's memory after
    the mix of pages a visitor asks for (benchmarks.load.worker_memory)."""
    if not load.wrk_available():
        return NotAvailable(load.WRK_MISSING), None
    results = []
    with load.gunicorn(url) as server:
        for key, label, path in LOAD_TARGETS:
            try:
                load.fetch(server.url + path)  # warm both the cache and the floor's copy
                outcome = load.run_wrk(key, server.url + path, options.load_seconds)
            except (OSError, RuntimeError) as error:
                say(f"  load {label}: not available: {error}")
                continue
            results.append((label, outcome))
            say(f"  load {label}: {report.load_text(outcome)}")
        try:
            memory = load.worker_memory(server)
        except OSError as error:
            say(f"  worker memory: not measured: {error}")
            return results, None
    say(
        f"  one worker after the mix: {memory.steady / report.MB:.0f} MB resident, "
        f"{memory.peak / report.MB:.0f} MB at its peak"
    )
    return results, memory


def draw_run(url: str, options: argparse.Namespace) -> dict[str, Timing] | NotAvailable:
    """The map drawn in Chromium, as a slowed phone and as a desktop (benchmarks.draw)."""
    if not draw.chromium_available():
        return NotAvailable(f"not measured (no Chromium at {draw.CHROMIUM} or no Playwright)")
    try:
        times = draw.measure(url, options.draw_runs)
    except Exception as error:  # Playwright's own errors: a browser that did not start
        return NotAvailable(f"not measured ({type(error).__name__}: {error})")
    results = {key: Timing(tuple(t / 1000 for t in each)) for key, each in times.items()}
    for profile in draw.PROFILES:
        say(f"  map drawn, {profile.label}: {report.result_text(results[profile.key])}")
    return results


def bench_backend(backend: str, options: argparse.Namespace, scratch: Path) -> BackendResult:
    result = BackendResult(backend)
    if backend == "postgresql":
        result.problem = databases.postgres_problem(options.postgres_url)
        if result.problem:
            say(f"{backend}: not available: {result.problem}")
            return result
    for size in options.sizes:
        say(f"{backend}, {size:,} initiatives")
        with databases.database(backend, scratch, options.postgres_url) as url:
            result.sizes.append(bench_size(backend, size, url, options, scratch))
            if size == options.sizes[-1] and options.draw_runs > 0:
                result.draw = draw_run(url, options)
            if size == options.sizes[-1] and options.load_seconds > 0:
                try:
                    result.load, result.worker_memory = load_run(url, options)
                except RuntimeError as error:  # gunicorn did not start
                    result.load = NotAvailable(f"not available: {error}")
                result.load_size = size
    return result


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    run = report.Run.start(options)
    say(f"Benchmark on {run.machine}; load average {run.load_before}")
    # stopped from outside, it still drops its PostgreSQL schema and temporary files
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        with tempfile.TemporaryDirectory(prefix="kommunkarta-bench-") as scratch:
            # what every CLI figure includes before the command does anything (median of 5)
            startup_db = f"sqlite:///{scratch}/startup.sqlite"
            run.cli_startup = time_command(["routes"], startup_db, runs=5)
            for backend in options.databases:
                run.backends.append(bench_backend(backend, options, Path(scratch)))
    finally:
        signal.signal(signal.SIGTERM, previous)
    run.finish()
    report.write(options.output, report.markdown(run))
    print(report.summary(run))
    say(f"Wrote {options.output}")
    return 0
