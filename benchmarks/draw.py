"""How long the map takes to draw in Chromium, from navigation to its 290 shapes.

`python -m benchmarks.draw --database URL` serves the app on 127.0.0.1 (a thread of this
process) and loads `/` in Chromium: as a phone (390×844, the CPU slowed 4× through the
DevTools protocol's Emulation.setCPUThrottlingRate) and as a desktop (1280×800, unthrottled).
Each run is a new browser context (nothing cached); the time is `performance.now()` when the
290th municipality's path is in the page, polled every animation frame. Prints the median and
the range of `--runs` runs after one warm-up run of the server. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import statistics
import threading

from werkzeug.serving import make_server

from kommunkarta import create_app

SHAPES = ".leaflet-areas-pane path.leaflet-interactive"
PROFILES = {
    "phone, 390×844, CPU 4× slower": ({"width": 390, "height": 844}, 4),
    "desktop, 1280×800": ({"width": 1280, "height": 800}, 1),
}


def drawn_after(browser, url: str, viewport: dict, slowdown: int) -> float:
    """Milliseconds from navigation to the 290th shape, in a fresh context."""
    context = browser.new_context(viewport=viewport, bypass_csp=True)  # to poll with script
    page = context.new_page()
    if slowdown > 1:
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    page.goto(url, wait_until="commit")
    page.wait_for_function(
        f"document.querySelectorAll('{SHAPES}').length >= 290", polling="raf", timeout=60_000
    )
    elapsed = float(page.evaluate("performance.now()"))
    context.close()
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.draw")
    parser.add_argument("--database", required=True, help="a seeded database's URL")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--port", type=int, default=5391)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    options = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    app = create_app({"DATABASE_URL": options.database, "SECRET_KEY": "benchmark"})
    server = make_server("127.0.0.1", options.port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{options.port}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=options.chromium)
            drawn_after(browser, url, {"width": 1280, "height": 800}, 1)  # warm the server
            for label, (viewport, slowdown) in PROFILES.items():
                times = [drawn_after(browser, url, viewport, slowdown) for _ in range(options.runs)]
                print(
                    f"{label}: median {statistics.median(times):.0f} ms "
                    f"(from {min(times):.0f} to {max(times):.0f}, {len(times)} runs)"
                )
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
