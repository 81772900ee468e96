"""Serving the maps imports neither Folium nor, through it, pandas: Folium wrote the map's
set-up ahead of time (public.map_skeleton). Checked in a process of its own, since the test
process imports Folium to compare the skeleton with it."""

import subprocess
import sys

import pytest

PAGES = [
    "/",
    "/?lang=en&level=region",
    "/embed?municipality=0180",
    "/municipalities/0180",
    "/regions/01",
]
SERVE = """
import sys
from kommunkarta import create_app
app = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": "x", "GEODATA_DIR": sys.argv[2]})
client = app.test_client()
for path in sys.argv[3:]:
    assert client.get(path).status_code == 200, path
print(" ".join(sorted({m.split(".")[0] for m in sys.modules} & {"folium", "branca"})))
"""


@pytest.mark.processes
def test_serving_the_maps_imports_no_folium(app, tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SERVE,
            app.config["DATABASE_URL"],
            app.config["GEODATA_DIR"],
            *PAGES,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
