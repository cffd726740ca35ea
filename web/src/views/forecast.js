// Forecast against observed: the 24-h-ahead PM2.5 forecast of one station over the last week,
// the observed values and the persistence baseline, with both errors (computed by the server).
import * as api from "../api.js";
import { forecastChart } from "../charts.js";
import { h, label } from "../dom.js";
import { apply, dateTime, name, number, onChange, t } from "../i18n.js";

export function forecastCard(stations, initial) {
  const withId = stations.filter((s) => s.latest);
  const select = h("select", { "data-testid": "forecast-station", "data-i18n-aria": "forecast.pick" },
    withId.map((s) => h("option", { value: s.station_id, selected: s.station_id === initial }, name(s))));
  const chartEl = h("div", { class: "chart wide", "data-testid": "forecast-chart" });
  const note = h("p", { class: "muted", "data-testid": "forecast-note" });
  const card = h("section", { class: "card span2", "data-testid": "forecast", "data-ready": "false" },
    h("h2", {}, label("forecast.title")), h("label", {}, label("forecast.pick"), " ", select), note, chartEl);
  apply(card);
  let data = null;
  const draw = () => {
    if (!data) return;
    if (!data.model) {
      note.textContent = t("forecast.noModel");
      chartEl.hidden = true;
      return;
    }
    chartEl.hidden = false;
    const m = data.model;
    note.textContent = t("forecast.note", { from: dateTime(data.hours[0]?.time), to: dateTime(data.hours.at(-1)?.time),
      mae: number(data.mae_forecast, 1), persistence: number(data.mae_persistence, 1),
      trainFrom: m.train_targets[0], trainTo: m.train_targets[1], model: m.model });
    forecastChart(chartEl, data.hours);
  };
  const load = async () => {
    card.dataset.ready = "false";
    try {
      data = await api.forecast(select.value);
      draw();
    } catch (e) {
      data = null;
      note.replaceChildren(h("span", { class: "error", role: "alert" }, `${t("app.error")}: ${e.message}`));
    }
    card.dataset.ready = "true";
    card.dataset.station = select.value;
  };
  select.addEventListener("change", load);
  onChange(() => { if (card.isConnected) draw(); });
  return { card, load };
}
