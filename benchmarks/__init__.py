"""`make bench`: how fast Kommunkartan is at 1,000 to 100,000 initiatives.

Run as `python -m benchmarks` from the repository root (see `--help`). It lives outside the
installed package: nothing in `kommunkarta` imports it, and its extra routes (the naive Folium
baseline and the floor) are registered only on the app instances it makes itself.
"""
