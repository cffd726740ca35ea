// Air: the jurisdictions compared over the last 30 days with data (joint prevention), hours when
// PM2.5 exceeded in several jurisdictions at once, the heavy-pollution episodes with alerts, and
// a station's PM2.5 forecast against what was observed.
import * as api from "../api.js";
import { clear, h, label } from "../dom.js";
import { apply, date, lang, name, number, onChange, t } from "../i18n.js";
import { forecastCard } from "./forecast.js";

const COLUMNS = ["air.jurisdiction", "air.days", "air.meanAqi", "air.meanPm25", "air.daysGood", "air.daysOver100",
  "air.daysOver200", "air.shareGood", "air.topPrimary"];
const EPISODE_COLUMNS = ["air.jurisdiction", "air.start", "air.end", "air.days", "air.maxAqi", "air.alert"];

export async function render(main) {
  const [a, ov] = await Promise.all([api.air(30), api.overview()]);
  const station = ov.stations.some((s) => s.station_id === "tongzhou") ? "tongzhou" : ov.stations[0]?.station_id;
  const fc = forecastCard(ov.stations, station);
  const range = h("p", { class: "muted", "data-testid": "air-range" });
  const rows = h("tbody");
  const coLine = h("p", { "data-testid": "co-exceedance" });
  const episodeRows = h("tbody");
  const head = (keys) => h("thead", {}, h("tr", {}, keys.map((k) => h("th", { scope: "col" }, label(k)))));
  clear(main).append(h("div", { class: "grid" },
    h("section", { class: "card span2" }, h("h2", {}, label("air.joint")), range,
      h("table", { class: "table", "data-testid": "joint" }, head(COLUMNS), rows), coLine),
    h("section", { class: "card span2" }, h("h2", {}, label("air.episodes")),
      h("table", { class: "table", "data-testid": "episodes" }, head(EPISODE_COLUMNS), episodeRows)),
    fc.card));
  apply(main);
  const draw = () => {
    range.textContent = `${date(a.from)} – ${date(a.to)}`;
    rows.replaceChildren(...a.joint.jurisdictions.map((j) => h("tr", {},
      h("td", {}, name(j) || j.jurisdiction), h("td", {}, number(j.days)), h("td", {}, number(j.mean_aqi, 1)),
      h("td", {}, number(j.mean_pm25, 1)), h("td", {}, number(j.days_good)), h("td", {}, number(j.days_over_100)),
      h("td", {}, number(j.days_over_200)), h("td", {}, `${number(100 * (j.share_good ?? 0), 0)}%`),
      h("td", {}, (j.top_primary || "—").toUpperCase()))));
    const co = a.joint.co_exceedance;
    coLine.textContent = t("air.coExceedance", { threshold: number(co.threshold), any: number(co.hours_any),
      cross: number(co.hours_cross_boundary) });
    episodeRows.replaceChildren(...(a.episodes.length ? a.episodes.map((e) => h("tr", {},
      h("td", {}, name(e) || e.jurisdiction), h("td", {}, date(e.start)), h("td", {}, date(e.end)),
      h("td", {}, number(e.days)), h("td", {}, number(e.max_aqi)),
      h("td", {}, (lang() === "en" ? e.alert_en : e.alert_zh) || "—")))
      : [h("tr", {}, h("td", { colspan: EPISODE_COLUMNS.length }, t("air.noEpisodes")))]));
  };
  draw();
  onChange(() => { if (rows.isConnected) draw(); });
  fc.load(); // the model's first use loads LightGBM on the server: the tables do not wait for it
}
