// The district's other programs (issue 11), as their own APIs compute them: green space per
// jurisdiction, shared public services, the metro network on the map with each jurisdiction's
// reach, and the investment program's published totals against the yearly target.
import * as api from "../api.js";
import { clear, h, label } from "../dom.js";
import { apply, has, lang, name, number, onChange, t } from "../i18n.js";
import { areaFeatures, metroMap } from "../map.js";

const FOCUS = new Set(["110112", "131082", "131028", "131024"]); // Tongzhou, Sanhe, Dachang, Xianghe
const head = (keys) => h("thead", {}, h("tr", {}, keys.map((k) => h("th", { scope: "col" }, label(k)))));
const pct = (x) => (x === null || x === undefined ? "—" : `${number(x, 1)}%`);

export async function render(main, ctx) {
  const [green, stations, lines, reach, projects, totals, facilities, areasGeo, ov] = await Promise.all([
    api.green(), api.metroStations(), api.metroLines(), api.metroReach(), api.investment(), api.investmentTotals(),
    api.facilities(), api.areas(), api.overview()]);
  const areas = Object.fromEntries(ov.areas.map((a) => [a.jurisdiction, a]));
  const where = (code) => name(areas[code]) || code || "—";
  const mapEl = h("div", { class: "map", role: "application", "data-testid": "metro-map", "data-i18n-aria": "programs.metroMap" });
  const greenRows = h("tbody");
  const reachRows = h("tbody");
  const totalRows = h("tbody");
  const projectRows = h("tbody");
  const serviceLine = h("p", { "data-testid": "services" });
  const metroLine = h("p", { class: "muted", "data-testid": "metro-summary" });
  const targetLine = h("p", { class: "muted", "data-testid": "investment-target" });
  clear(main).append(h("div", { class: "grid" },
    h("section", { class: "card span2" }, h("h2", {}, label("programs.green")),
      h("table", { class: "table", "data-testid": "green" }, head(["table.jurisdiction", "programs.parks",
        "programs.parkArea", "programs.within500", "programs.forest"]), greenRows),
      h("p", { class: "muted" }, label("programs.greenNote"))),
    h("section", { class: "card" }, h("h2", {}, label("programs.metro")), metroLine, mapEl),
    h("section", { class: "card" }, h("h2", {}, label("programs.reach")),
      h("table", { class: "table", "data-testid": "reach" }, head(["table.jurisdiction", "programs.ownStations",
        "programs.reachable"]), reachRows)),
    h("section", { class: "card span2" }, h("h2", {}, label("programs.investment")), targetLine,
      h("table", { class: "table", "data-testid": "investment-totals" }, head(["programs.year", "programs.kind",
        "programs.value", "programs.vsTarget", "programs.publisher"]), totalRows),
      h("h3", {}, label("programs.projects")),
      h("table", { class: "table", "data-testid": "investment-projects" }, head(["programs.project",
        "programs.category", "table.jurisdiction", "programs.milestone"]), projectRows)),
    h("section", { class: "card span2" }, h("h2", {}, label("programs.services")), serviceLine)));
  apply(main);
  const draw = () => {
    greenRows.replaceChildren(...green.map((g) => h("tr", { "data-zone": g.zone }, h("td", {}, where(g.zone)),
      h("td", {}, number(g.parks)), h("td", {}, number(g.park_area_m2 / 1e6, 2)),
      h("td", {}, g.residents_within_500m_pct !== null ? pct(g.residents_within_500m_pct)
        : `${pct(g.area_within_500m_pct)} ${t("programs.ofArea")}`),
      h("td", {}, g.forest_cover_pct === null ? t("programs.notComputed") : pct(g.forest_cover_pct)))));
    const located = stations.filter((s) => s.lon !== null).length;
    metroLine.textContent = t("programs.metroSummary", { lines: number(lines.length), stations: number(stations.length),
      located: number(located) });
    reachRows.replaceChildren(...reach.map((r) => h("tr", { "data-jurisdiction": r.jurisdiction },
      h("td", {}, where(r.jurisdiction)), h("td", {}, number(r.stations.length)),
      h("td", {}, t("programs.within", { n: number(r.reachable), minutes: number(r.minutes) })))));
    totalRows.replaceChildren(...totals.totals.map((x) => h("tr", {}, h("td", {}, x.year),
      h("td", {}, lang() === "en" ? x.kind : x.kind_zh),
      h("td", {}, `${lang() === "en" ? x.qualifier_en : x.qualifier_zh} ${number(x.value_yi, 1)}`.trim()),
      h("td", {}, x.vs_target === null ? "—" : pct(100 * x.vs_target)), h("td", {}, `${x.publisher} (${x.published})`))));
    projectRows.replaceChildren(...(projects.length ? projects.map((p) => h("tr", { "data-project": p.project_id },
      h("td", {}, name(p) || p.project_id),
      h("td", {}, has(`programs.category.${p.category}`) ? t(`programs.category.${p.category}`) : p.category), h("td", {}, where(p.jurisdiction)),
      h("td", {}, p.milestones.length ? `${p.milestones.at(-1).date}: ${p.milestones.at(-1).text_zh}` : "—")))
      : [h("tr", {}, h("td", { colspan: 4 }, t("programs.none")))]));
    targetLine.textContent = t("programs.target", { target: number(totals.target_yi) });
    const kinds = {};
    for (const f of facilities) kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
    serviceLine.textContent = facilities.length ? Object.entries(kinds).map(([k, n]) =>
      `${has(`programs.kind.${k}`) ? t(`programs.kind.${k}`) : k}: ${number(n)}`).join(" · ")
      : t("programs.noFacilities");
  };
  draw();
  onChange(() => { if (greenRows.isConnected) draw(); });
  ctx.map = await metroMap(mapEl, areaFeatures(areasGeo, FOCUS), stations, lines);
}
