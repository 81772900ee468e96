"""How long the map takes to draw in Chromium, from navigation to its 290 shapes.

`python -m benchmarks.draw --database URL` serves the app on 127.0.0.1 (a thread of this
process) and loads `/` in Chromium: as a phone (390×844, the CPU slowed 4× through the
DevTools protocol's Emulation.setCPUThrottlingRate) and as a desktop (1280×800, unthrottled).
Each run is a new browser context (nothing cached); the time is `performance.now()` when the
290th municipality's path is in the page, polled every animation frame. Prints the median and
the range of `--runs` runs after one warm-up run of the server, and under each the median
of when (from the same navigation, in the page's own timings) the page had arrived, the
boundaries and Leaflet had arrived, the last script or style sheet asked for before the map
had arrived, the page was first painted and its parsing was done (DOMContentLoaded): whether
the time went to waiting for this process's server or to the page's own work. `make bench`
runs the same measurement (`measure`) at its largest size. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from kommunkarta import create_app

# Debian's chromium, or the one the browser tests are pointed at
CHROMIUM = os.environ.get("KOMMUNKARTA_CHROMIUM", "/usr/bin/chromium")
SHAPES = ".leaflet-areas-pane path.leaflet-interactive"


@dataclass(frozen=True)
class Profile:
    key: str
    label: str
    viewport: dict[str, int]
    slowdown: int
    target_ms: float  # issue 19's target for this profile


PROFILES = (
    Profile("phone", "phone, 390×844, CPU 4× slower", {"width": 390, "height": 844}, 4, 600),
    Profile("desktop", "desktop, 1280×800", {"width": 1280, "height": 800}, 1, 300),
)


class _Quiet(WSGIRequestHandler):
    """No line on stderr for each of the page's twenty requests."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def chromium_available(chromium: str = CHROMIUM) -> bool:
    if not Path(chromium).exists():
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


# what `drawn_after` also reads from the page, in milliseconds from navigation (PHASES_JS)
PHASES = ("page", "boundaries", "Leaflet", "assets", "first paint", "parsed")
PHASES_JS = """() => {
  const [nav] = performance.getEntriesByType("navigation");
  const loaded = performance.getEntriesByType("resource");
  const arrived = (test) =>
    Math.max(0, ...loaded.filter((r) => test(r.name)).map((r) => r.responseEnd));
  const painted = performance.getEntriesByType("paint").find((p) => p.name === "first-paint");
  return [nav.responseEnd, arrived((u) => u.includes("/boundaries/")),
    arrived((u) => u.endsWith("/leaflet.js")),
    arrived((u) => u.includes("/static/") && !u.includes("markercluster")),
    painted ? painted.startTime : NaN, nav.domContentLoadedEventStart];
}"""


def drawn_after(
    browser, url: str, profile: Profile, phases: dict[str, list[float]] | None = None
) -> float:
    """Milliseconds from navigation to the 290th shape, in a fresh context; with `phases`,
    each of PHASES in that page appended to its list there."""
    context = browser.new_context(viewport=profile.viewport, bypass_csp=True)  # to poll
    page = context.new_page()
    if profile.slowdown > 1:
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": profile.slowdown})
    page.goto(url, wait_until="commit")
    # the time is taken in the frame that finds the shapes, not after a round trip back here
    # (during which the page's own work after its first paint would be counted too)
    drawn = page.wait_for_function(
        f"document.querySelectorAll('{SHAPES}').length >= 290 && performance.now()",
        polling="raf",
        timeout=60_000,
    )
    elapsed = float(drawn.json_value())
    if phases is not None:
        for name, value in zip(PHASES, page.evaluate(PHASES_JS), strict=True):
            phases.setdefault(name, []).append(float(value))
    context.close()
    return elapsed


def measure(
    database_url: str,
    runs: int,
    chromium: str = CHROMIUM,
    phases: dict[str, dict[str, list[float]]] | None = None,
) -> dict[str, list[float]]:
    """Milliseconds to the drawn map, `runs` fresh page loads per profile (by key), after one
    untimed load that warms the server's caches; with `phases`, each profile's PHASES there
    (by key). In a thread of its own: Playwright's sync API refuses a thread whose asyncio
    loop runs (as pytest's does once Playwright's browser tests have run in it)."""
    with ThreadPoolExecutor(max_workers=1) as apart:
        return apart.submit(_measure, database_url, runs, chromium, phases).result()


def _measure(
    database_url: str,
    runs: int,
    chromium: str,
    phases: dict[str, dict[str, list[float]]] | None = None,
) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "benchmark"})
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            drawn_after(browser, url, PROFILES[1])
            seen = phases if phases is not None else {}
            times = {
                p.key: [
                    drawn_after(browser, url, p, seen.setdefault(p.key, {})) for _ in range(runs)
                ]
                for p in PROFILES
            }
            browser.close()
    finally:
        server.shutdown()
        app.extensions["db_engine"].dispose()
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.draw")
    parser.add_argument("--database", required=True, help="a seeded database's URL")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--chromium", default=CHROMIUM)
    options = parser.parse_args(argv)
    phases: dict[str, dict[str, list[float]]] = {}
    times = measure(options.database, options.runs, options.chromium, phases)
    for profile in PROFILES:
        each = times[profile.key]
        print(
            f"{profile.label}: median {statistics.median(each):.0f} ms "
            f"(from {min(each):.0f} to {max(each):.0f}, {len(each)} runs)"
        )
        print(
            "  medians: "
            + ", ".join(
                f"{name} {statistics.median(phases[profile.key][name]):.0f}" for name in PHASES
            )
            + " ms"
        )


if __name__ == "__main__":
    main()
