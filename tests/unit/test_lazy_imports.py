"""Commands start in well under a second because the heavy libraries are imported where they
are used, not when the app is made: these tests fail when a module-level import of one of
them comes back (how long a start takes is measured by `make bench`, not here)."""

import json
import subprocess
import sys
from pathlib import Path

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from kommunkarta.services.data_io import tables

ROOT = Path(__file__).resolve().parents[2]
HEAVY = [
    "alembic",
    "apispec",
    "folium",
    "geopandas",
    "marshmallow",
    "numpy",
    "openpyxl",
    "pandas",
    "pyarrow",
    "pyproj",
    "shapely",
    "xlsxwriter",
]
PROGRAM = """
import json, sys
from kommunkarta import create_app
app = create_app({"SECRET_KEY": "x", "DATABASE_URL": sys.argv[1]}, instance_path=sys.argv[2])
app.test_cli_runner().invoke(args=["routes"])
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in sys.argv[3:])))
"""


def test_making_the_app_and_listing_routes_imports_no_heavy_library(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, url, str(tmp_path), *HEAVY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}
    assert imported == set(), f"imported at start: {sorted(imported)}"


def test_the_xlsx_control_characters_are_openpyxls():
    assert tables.XLSX_FORBIDDEN.pattern == ILLEGAL_CHARACTERS_RE.pattern
