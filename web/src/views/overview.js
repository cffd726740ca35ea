// Overview: the map with stations coloured by their latest AQI, each jurisdiction's AQI on the
// latest day with data, the carbon pathway against the peak target, the latest checkpoint.
import * as api from "../api.js";
import { clear, h, label } from "../dom.js";
import { apply, category, date, dateTime, name, number, onChange, t } from "../i18n.js";
import { areaFeatures, createMap, showHour, stationFeatures } from "../map.js";
import { checkpointCard } from "./checkpoint.js";

const MAP_WAIT_MS = 3000; // longest the overview's table and charts wait for the map's first frame

export async function render(main, ctx) {
  // The map comes first: it is created as soon as its data (asked for by the page as it loaded) has
  // come, with the page's empty skeleton around it; the stations' table, the slider's history, the
  // charts and the checkpoint fill in after the map's first frame.
  const first = api.take();
  const data = Promise.all([first.overview, first.areas]);
  const mapEl = h("div", { id: "map", class: "map", role: "application", "data-i18n-aria": "map.aria" });
  const stationRows = h("tbody");
  const barsEl = h("div", { class: "chart", "data-testid": "jurisdiction-chart" });
  const carbonEl = h("div", { class: "chart", "data-testid": "carbon-chart" });
  const dayLine = h("p", { class: "muted", "data-testid": "latest-day" });
  const sliderSlot = h("div", { class: "slider" });
  const carbonNote = h("p", { class: "muted" });
  const checkpointSlot = h("div");
  clear(main).append(
    h("div", { class: "grid" },
      h("section", { class: "card map-card" }, h("h2", {}, label("overview.map")), mapEl, sliderSlot, legend()),
      h("section", { class: "card" }, h("h2", {}, label("overview.jurisdictions")), dayLine, barsEl),
      h("section", { class: "card" }, h("h2", {}, label("overview.stations")),
        h("table", { class: "table", "data-testid": "stations" },
          h("thead", {}, h("tr", {}, ["table.station", "table.jurisdiction", "table.aqi", "table.category",
            "table.time"].map((k) => h("th", { scope: "col" }, label(k))))), stationRows)),
      h("section", { class: "card" }, h("h2", {}, label("overview.carbon")), carbonNote, carbonEl),
      checkpointSlot));
  apply(main);
  let ov = null;
  const mapReady = createMap(mapEl, data.then(([overview, areasGeo]) => {
    const focus = new Set(overview.stations.map((s) => s.jurisdiction));
    const popupText = (id) => { const s = overview.stations.find((x) => x.station_id === id);
      return `${name(s)} · AQI ${number(s.latest?.aqi)} ${category(s.latest)}`; };
    return { areas: areaFeatures(areasGeo, focus), stations: stationFeatures(overview.stations), label: popupText };
  }), (id) => { location.hash = `#/station/${id}`; })
    .then((map) => { ctx.map = map; performance.mark("citytwin:map"); });
  [ov] = await data;
  let carbon = null;
  let slider = null;
  let charts = null; // ECharts, loaded after the map's first frame

  const areaName = Object.fromEntries(ov.areas.map((a) => [a.jurisdiction, a]));
  const draw = () => {
    slider?.draw();
    dayLine.textContent = t("overview.latestDay", { day: date(ov.day), time: dateTime(ov.latest_observed_at) });
    charts.jurisdictionBars(barsEl, ov.jurisdictions);
    if (carbon) drawCarbon();
    drawRows();
  };
  const drawCarbon = () => {
    charts.carbonTrajectory(carbonEl, carbon);
    carbonNote.textContent = t("carbon.note", {
      peak: carbon.peak.year, target: carbon.targets.peak_year,
      p: number(100 * carbon.monte_carlo.p_peak_by.probability, 0),
      verdict: t(carbon.peaks_by_target ? "carbon.onTrack" : "carbon.offTrack") });
  };
  const drawRows = () => {
    stationRows.replaceChildren(...ov.stations.map((s) => h("tr", { "data-station": s.station_id },
      h("td", {}, h("a", { href: `#/station/${s.station_id}` }, name(s))),
      h("td", {}, name(areaName[s.jurisdiction]) || s.jurisdiction),
      h("td", {}, h("span", { class: "swatch", style: `background:${s.latest?.colour ?? "#9e9e9e"}` }),
        number(s.latest?.aqi)),
      h("td", {}, category(s.latest) || t("aqi.noData")),
      h("td", {}, dateTime(s.latest?.observed_at)))));
  };
  // the rest is asked for, and the table and the charts are laid out and drawn, after the map's
  // first frame, so that the map does not wait for them; a map that fails (no WebGL) or does not
  // draw (a hidden tab) holds them back no longer than MAP_WAIT_MS
  await Promise.race([mapReady.catch((e) => console.error("map", e)),
    new Promise((resolve) => setTimeout(resolve, MAP_WAIT_MS))]);
  const history = api.history();
  const later = Promise.all([api.carbon(), ctx.ledger()]);
  drawRows();
  charts = await import("../charts.js");
  draw();
  onChange(() => { if (barsEl.isConnected) draw(); });
  slider = timeSlider(await history, ctx);
  sliderSlot.replaceWith(slider.el);
  slider.draw();
  const [carbonDoc, ledger] = await later;
  carbon = carbonDoc;
  drawCarbon();
  checkpointSlot.replaceWith(checkpointCard(ledger));
}

// The time slider: moves the map's station colours through the hours of `history`.
function timeSlider(history, ctx) {
  const last = history.times.length - 1;
  const input = h("input", { type: "range", min: 0, max: Math.max(last, 0), step: 1, value: Math.max(last, 0),
    "data-testid": "time-slider", "data-i18n-aria": "overview.slider" });
  const shown = h("output", { "data-testid": "slider-time" });
  const draw = () => { shown.textContent = dateTime(history.times[Number(input.value)]); };
  input.addEventListener("input", () => {
    draw();
    if (ctx.map) showHour(ctx.map, history, Number(input.value));
  });
  return { el: h("div", { class: "slider" }, label("overview.slider", "label"), input, shown), draw };
}

function legend() {
  // HJ 633-2012 Table 2 categories; the colours of the stations themselves come from the API.
  const levels = [["#00E400", "aqi.l1"], ["#FFFF00", "aqi.l2"], ["#FF7E00", "aqi.l3"], ["#FF0000", "aqi.l4"],
    ["#99004C", "aqi.l5"], ["#7E0023", "aqi.l6"], ["#9e9e9e", "aqi.noData"]];
  return h("ul", { class: "legend" }, levels.map(([c, k]) => h("li", {}, h("span", { class: "swatch", style: `background:${c}` }), label(k))));
}
