"""A worker that serves the public pages holds no data-frame or machine-learning library:
the boundaries are read with json and shapely (geopandas, with pandas, pyogrio and pyarrow,
is for `geodata build` alone), the map is built without Folium (which brought pandas), and
the similar initiatives are scored with numpy alone, not scikit-learn or SciPy, and the
boundaries projected without pyproj (services.places.sweref); the XLSX export is written by
XlsxWriter and the Atom feed by the standard library, so neither openpyxl (for reading
imports) nor lxml stays in a worker that served one. Each of those costs a worker megabytes
to hundreds of MB resident (docs/benchmarks.md); this test fails when a page imports one of
them again. How much a worker holds is measured by `make bench`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.load import MEMORY_MIX

ROOT = Path(__file__).resolve().parents[2]
PAGES = list(MEMORY_MIX)  # the pages whose memory `make bench` reads
NEVER = ["geopandas", "pandas", "pyarrow", "pyogrio", "pyproj", "scipy", "sklearn"]
NEVER += ["openpyxl", "lxml", "feedgen"]
PROGRAM = """
import json, sys
from kommunkarta import create_app, geo
app = create_app({"SECRET_KEY": "x", "DATABASE_URL": sys.argv[1]}, instance_path=sys.argv[2])
cli = app.test_cli_runner()
for command in (["init-db"], ["seed-demo", "--count", "60"]):
    done = cli.invoke(args=command)
    assert done.exit_code == 0, done.output
geo.preload(app)
client = app.test_client()
report = {}
for page in sys.argv[4:]:
    response = client.get(page)
    response.close()
    watched = set(sys.argv[3].split(","))
    report[page] = [
        response.status_code,
        sorted({name.split(".")[0] for name in sys.modules} & watched),
    ]
print(json.dumps(report))
"""


@pytest.mark.processes
def test_serving_the_public_pages_imports_no_data_frame_or_learning_library(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    watched = ",".join(NEVER)
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, url, str(tmp_path), watched, *PAGES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert list(report) == PAGES
    for page, (status, imported) in report.items():
        assert status == 200, page
        assert imported == [], f"{page} imported {imported}"
