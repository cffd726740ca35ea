// One station: hourly AQI and concentrations, the daily-AQI calendar, and a figure to verify.
import * as api from "../api.js";
import { dailyCalendar, stationSeries } from "../charts.js";
import { clear, h, label } from "../dom.js";
import { apply, category, date, dateTime, name, number, onChange } from "../i18n.js";
import { proofPanel } from "../proofpanel.js";

const FIGURE_ATTRIBUTES = ["pm25", "pm10", "no2", "o3", "so2", "co"];

export async function render(main, ctx, stationId) {
  const [s, ledger] = await Promise.all([api.station(stationId, 30), ctx.ledger()]);
  const title = h("h2", { "data-testid": "station-name" });
  const range = h("p", { class: "muted" });
  const latestLine = h("p", {});
  const seriesEl = h("div", { class: "chart wide", "data-testid": "station-chart" });
  const calendarEl = h("div", { class: "chart calendar", "data-testid": "calendar" });
  const latest = [...s.hourly].reverse().find((r) => FIGURE_ATTRIBUTES.some((a) => r[a] !== null));
  const attribute = latest && FIGURE_ATTRIBUTES.find((a) => latest[a] !== null);
  clear(main).append(h("div", { class: "grid" },
    h("section", { class: "card span2" }, title, range, latestLine, h("h3", {}, label("station.series")), seriesEl),
    h("section", { class: "card span2" }, h("h3", {}, label("station.daily")), calendarEl),
    latest ? proofPanel({ entity_id: s.entity_id, attribute, observed_at: latest.observed_at, value: latest[attribute] }, ledger)
      : h("p", {}, label("aqi.noData"))));
  apply(main);
  const draw = () => {
    title.textContent = `${name(s)} (${s.station_id})`;
    range.textContent = `${date(s.from)} – ${date(s.to)}`;
    const last = [...s.hourly].reverse().find((r) => r.aqi !== null);
    latestLine.replaceChildren(h("span", { class: "swatch", style: `background:${last?.colour ?? "#9e9e9e"}` }),
      `AQI ${number(last?.aqi)} ${category(last)} · ${dateTime(last?.observed_at)}`);
    stationSeries(seriesEl, s.hourly);
    dailyCalendar(calendarEl, s.daily);
  };
  draw();
  onChange(() => { if (seriesEl.isConnected) draw(); });
}
