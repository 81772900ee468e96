// The map's municipality boundaries arrive as quantised TopoJSON (services/places/topology.py):
// shared borders stored once as arcs, each arc one flat list of grid steps
// [x0, y0, dx1, dy1, ...]. This turns the first object back into a GeoJSON FeatureCollection
// for Leaflet, adding each municipality's county code (the first two digits of its code).

function arcPoints(steps, scale, translate) {
  const points = new Array(steps.length / 2);
  let x = 0;
  let y = 0;
  for (let i = 0; i < steps.length; i += 2) {
    x += steps[i];
    y += steps[i + 1];
    points[i / 2] = [x * scale[0] + translate[0], y * scale[1] + translate[1]];
  }
  return points;
}

export function topologyFeatures(topology) {
  const { scale, translate } = topology.transform;
  const arcs = topology.arcs.map((steps) => arcPoints(steps, scale, translate));
  // arcs joined in a loop, a reversed one read backwards, each after the first without the
  // point it shares with the one before (no copies: this runs before the map's first paint)
  const ring = (indexes) => {
    const points = [];
    indexes.forEach((index) => {
      const arc = arcs[index >= 0 ? index : ~index];
      const skip = points.length ? 1 : 0;
      if (index >= 0) for (let i = skip; i < arc.length; i++) points.push(arc[i]);
      else for (let i = arc.length - 1 - skip; i >= 0; i--) points.push(arc[i]);
    });
    return points;
  };
  const collection = Object.values(topology.objects)[0];
  const features = collection.geometries.map((geometry) => {
    const coordinates = geometry.type === "Polygon"
      ? geometry.arcs.map(ring)
      : geometry.arcs.map((polygon) => polygon.map(ring));
    const properties = Object.assign({}, geometry.properties);
    properties.region_code = properties.code.slice(0, 2);
    return { type: "Feature", properties: properties, geometry: { type: geometry.type, coordinates: coordinates } };
  });
  return { type: "FeatureCollection", features: features };
}
