"""The map writes numbers itself in Swedish and English (static/js/map/common.js, to spare the
first Intl.NumberFormat on the way to the drawn map): exactly as Intl writes them, as the
server's `number` filter does, and the same features from its faster TopoJSON decoding."""

import json

from kommunkarta.services.places import topology
from tests.browser.test_map import READY

COMPARE = """async () => {
  const { formatNumber } = await import("/static/js/map/common.js");
  const numbers = [0, 1, 9, 10, 999, 1000, 1234, 9999, 10000, 123456, 1000000, 2 ** 40,
    Number.MAX_SAFE_INTEGER, 1234.5, 0.25, -3, -12345];
  for (let i = 0; i < 2000; i++) numbers.push(Math.floor(Math.random() * 10 ** (1 + (i % 12))));
  const differ = [];
  for (const lang of ["sv", "en"]) {
    const intl = new Intl.NumberFormat(lang);
    numbers.forEach((n) => {
      if (formatNumber(n, lang) !== intl.format(n)) differ.push([lang, n, formatNumber(n, lang)]);
    });
  }
  return { differ, sv: formatNumber(1234567, "sv"), en: formatNumber(1234567, "en") };
}"""


def test_numbers_are_written_as_intl_writes_them(page, live_server):
    page.goto(live_server.url + "/?lang=en")
    page.wait_for_selector(READY, timeout=15_000)
    result = page.evaluate(COMPARE)
    assert result["differ"] == []
    assert result["sv"] == "1\u00a0234\u00a0567"
    assert result["en"] == "1,234,567"


def test_the_topology_decodes_in_the_browser_as_on_the_server(page, live_server, live_app):
    """topology.js gives the very coordinates of services.places.topology.decode (the geometry
    itself is compared with the GeoJSON pixel by pixel in benchmarks.boundaries)."""
    page.goto(live_server.url + "/?lang=en")
    page.wait_for_selector(READY, timeout=15_000)
    decoded = page.evaluate(
        """async () => {
          const { getBoundaries } = await import("/static/js/map/common.js");
          const data = await getBoundaries("/map/boundaries/municipalities");
          return data.features.map((f) => [f.properties.code, f.properties.region_code,
            f.geometry.type, f.geometry.coordinates]);
        }"""
    )
    served = live_app.test_client().get("/map/boundaries/municipalities")
    stored = json.loads(served.get_data(as_text=True))
    expected = topology.decode(stored, next(iter(stored["objects"])))["features"]
    assert len(decoded) == len(expected) == 290
    for (code, region, kind, coordinates), feature in zip(decoded, expected, strict=True):
        assert code == feature["properties"]["code"]
        assert region == code[:2]
        assert kind == feature["geometry"]["type"]
        assert coordinates == feature["geometry"]["coordinates"], code
