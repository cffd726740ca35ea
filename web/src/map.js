// The district map: no basemap tiles, only the twin's own layers (administrative areas from the
// NGSI-LD API, stations coloured by the AQI colour the API gives). No text layers, so no glyphs.
import { LngLatBounds, Map, NavigationControl, Popup } from "maplibre-gl";

const NO_DATA = "#9e9e9e";

// One source holds the areas and the stations, so that each tile brings both layers at once (fewer
// tiles for the worker to build and fewer frames to draw before the map is complete). The page's
// background colour is the map container's (style.css), and the areas' outlines are the line layer
// (no fill antialiasing): fewer WebGL programs to compile before the first frame.
const style = (areas, stations) => ({
  version: 8,
  sources: {
    district: { type: "geojson", data: { type: "FeatureCollection", features: [...areas.features, ...stations.features] },
      promoteId: "station_id" },
  },
  layers: [
    { id: "areas-fill", type: "fill", source: "district", filter: ["!", ["has", "station_id"]],
      paint: { "fill-color": ["case", ["get", "focus"], "#dfe8d8", "#f8f8f4"], "fill-opacity": 0.9, "fill-antialias": false } },
    { id: "areas-line", type: "line", source: "district", filter: ["!", ["has", "station_id"]],
      paint: { "line-color": "#6b7b8c", "line-width": 1 } },
    { id: "stations", type: "circle", source: "district", filter: ["has", "station_id"],
      paint: {
        "circle-radius": 8,
        // the slider's hour (feature state) or else the latest hour; colours come from the API
        "circle-color": ["case", ["boolean", ["feature-state", "moved"], false],
          ["coalesce", ["feature-state", "colour"], NO_DATA], ["coalesce", ["get", "colour"], NO_DATA]],
        "circle-stroke-color": "#222",
        "circle-stroke-width": 1.2,
      } },
  ],
});

export function areaFeatures(geojson, focus) {
  return {
    type: "FeatureCollection",
    features: geojson.features.filter((f) => f.geometry).map((f) => {
      const p = f.properties || {};
      const value = (k) => (p[k] && typeof p[k] === "object" && "value" in p[k] ? p[k].value : p[k]);
      const code = value("jurisdiction") ?? f.id.split(":").pop();
      return { type: "Feature", id: undefined, geometry: f.geometry,
        properties: { jurisdiction: code, name_zh: value("name_zh"), name_en: value("name_en"),
          focus: focus.has(code) } };
    }),
  };
}

export function stationFeatures(stations) {
  return {
    type: "FeatureCollection",
    features: stations.filter((s) => s.lon !== null && s.lat !== null).map((s) => ({
      type: "Feature",
      geometry: { type: "Point", coordinates: [s.lon, s.lat] },
      properties: { station_id: s.station_id, colour: s.latest?.colour ?? null, aqi: s.latest?.aqi ?? null },
    })),
  };
}

// A map in `container` once `data` resolves to {areas, stations, label} (GeoJSON feature
// collections and a station's popup text): created with its data and its bounds, so that its first
// frames draw the final layers at the final zoom (the workers are started early by prewarm()).
// Resolves with the map once both layers are drawn.
export async function createMap(container, data, onStation) {
  const { areas, stations, label } = await data;
  const bounds = new LngLatBounds();
  for (const f of areas.features) if (f.properties.focus) extend(bounds, f.geometry.coordinates);
  for (const f of stations.features) bounds.extend(f.geometry.coordinates);
  const view = bounds.isEmpty() ? { center: [116.7, 39.9], zoom: 8 } : { bounds, fitBoundsOptions: { padding: 24 } };
  const map = new Map({ container, style: style(areas, stations), ...view,
    attributionControl: false, maxZoom: 14, fadeDuration: 0 });
  map.addControl(new NavigationControl({ showCompass: false }), "top-right");
  map.getCanvas().setAttribute("tabindex", "0");
  const popup = new Popup({ closeButton: false, closeOnClick: false });
  map.on("click", "stations", (e) => onStation(e.features[0].properties.station_id));
  map.on("mouseenter", "stations", (e) => {
    map.getCanvas().style.cursor = "pointer";
    const f = e.features[0];
    popup.setLngLat(f.geometry.coordinates).setText(label(f.properties.station_id)).addTo(map);
  });
  map.on("mouseleave", "stations", () => { map.getCanvas().style.cursor = ""; popup.remove(); });
  await new Promise((resolve) => map.once("idle", resolve));
  return map;
}

// Colour each station as at one hour of `history` (from /api/v1/dashboard/history).
export function showHour(map, history, i) {
  for (const [id, values] of Object.entries(history.stations)) {
    const v = values[i];
    map.setFeatureState({ source: "district", id }, { moved: true, colour: v ? v[1] : null, aqi: v ? v[0] : null });
  }
}

function extend(bounds, coords) {
  if (typeof coords[0] === "number") bounds.extend(coords);
  else for (const c of coords) extend(bounds, c);
}

// The metro network over the district's boundaries: lines as drawn between their located stations
// in order, stations as points. Resolves with the map once drawn.
export function metroMap(container, areas, stations, lines) {
  const at = Object.fromEntries(stations.filter((s) => s.lon !== null && s.lat !== null)
    .map((s) => [s.station, [s.lon, s.lat]]));
  const lineFeatures = lines.map((l) => ({ type: "Feature", properties: { line: l.line },
    geometry: { type: "LineString", coordinates: [...l.stations, ...(l.loop ? l.stations.slice(0, 1) : [])]
      .map((s) => at[s]).filter(Boolean) } })).filter((f) => f.geometry.coordinates.length > 1);
  const points = Object.entries(at).map(([station, c]) => ({ type: "Feature", properties: { station },
    geometry: { type: "Point", coordinates: c } }));
  const map = new Map({ container, center: [116.6, 39.9], zoom: 8, attributionControl: false, maxZoom: 14,
    fadeDuration: 0, style: { version: 8, sources: {
      areas: { type: "geojson", data: areas },
      lines: { type: "geojson", data: { type: "FeatureCollection", features: lineFeatures } },
      stations: { type: "geojson", data: { type: "FeatureCollection", features: points } } },
    layers: [
      { id: "background", type: "background", paint: { "background-color": "#eef2f5" } },
      { id: "areas-fill", type: "fill", source: "areas",
        paint: { "fill-color": ["case", ["get", "focus"], "#dfe8d8", "#f8f8f4"], "fill-opacity": 0.9 } },
      { id: "areas-line", type: "line", source: "areas", paint: { "line-color": "#6b7b8c", "line-width": 1 } },
      { id: "metro-lines", type: "line", source: "lines", paint: { "line-color": "#1565c0", "line-width": 2 } },
      { id: "metro-stations", type: "circle", source: "stations",
        paint: { "circle-radius": 3, "circle-color": "#fff", "circle-stroke-color": "#1565c0", "circle-stroke-width": 1.5 } },
    ] } });
  map.getCanvas().setAttribute("tabindex", "0");
  const bounds = new LngLatBounds();
  for (const f of areas.features) if (f.properties.focus) extend(bounds, f.geometry.coordinates);
  if (!bounds.isEmpty()) map.fitBounds(bounds, { padding: 24, duration: 0 });
  return new Promise((resolve) => map.once("idle", () => resolve(map)));
}
