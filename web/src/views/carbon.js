// Carbon: a reference inventory by sector and scope, the pathway's wedges up to the baseline, the
// yearly Monte Carlo fan, emissions by sector, the marginal abatement costs and the Monte Carlo
// summary — all as computed by citytwin.carbon on the server.
import * as api from "../api.js";
import { carbonFan, carbonSectors, carbonWedges } from "../charts.js";
import { clear, h, label } from "../dom.js";
import { apply, name, number, onChange, t } from "../i18n.js";
import { inventoryCard } from "./inventory.js";

export async function render(main) {
  const c = await api.carbon();
  const measures = Object.fromEntries(c.mac.map((m) => [m.id, m]));
  const wedgesEl = h("div", { class: "chart wide", "data-testid": "wedges-chart" });
  const fanEl = h("div", { class: "chart wide", "data-testid": "fan-chart" });
  const inventory = inventoryCard();
  const sectorsEl = h("div", { class: "chart", "data-testid": "sectors-chart" });
  const macRows = h("tbody");
  const summary = h("dl", { class: "kv", "data-testid": "monte-carlo" });
  const title = h("p", { class: "muted" });
  clear(main).append(h("div", { class: "grid" },
    inventory.card,
    h("section", { class: "card span2" }, h("h2", {}, label("carbon.wedges")), title, wedgesEl),
    h("section", { class: "card span2" }, h("h2", {}, label("carbon.fan")),
      h("p", { class: "muted" }, label("carbon.fanNote")), fanEl),
    h("section", { class: "card" }, h("h2", {}, label("carbon.sectors")), sectorsEl),
    h("section", { class: "card" }, h("h2", {}, label("carbon.monteCarlo")), summary),
    h("section", { class: "card span2" }, h("h2", {}, label("carbon.mac")),
      h("table", { class: "table", "data-testid": "mac" },
        h("thead", {}, h("tr", {}, ["carbon.measure", "carbon.cost", "carbon.abatement2030"].map((k) =>
          h("th", { scope: "col" }, label(k))))), macRows))));
  apply(main);
  const draw = () => {
    title.textContent = c.scenario;
    carbonWedges(wedgesEl, c, (id) => name(measures[id]) || id);
    carbonSectors(sectorsEl, c);
    carbonFan(fanEl, c);
    macRows.replaceChildren(...c.mac.map((m) => h("tr", {}, h("td", {}, name(m) || m.id),
      h("td", {}, number(m.cost_cny_per_t)), h("td", {}, number(m.abatement_2030_t / 1e3, 1)))));
    const mc = c.monte_carlo;
    const kv = (k, v) => [h("dt", {}, t(k)), h("dd", {}, v)];
    summary.replaceChildren(
      ...kv("carbon.runs", number(mc.runs)),
      ...kv("carbon.pPeak", `${number(100 * mc.p_peak_by.probability, 1)}%`),
      ...kv("carbon.peakYears", `${mc.peak_year.p5} – ${mc.peak_year.p95} (p5–p95)`),
      ...kv("carbon.residual", `${number(mc.residual_final_t.p50 / 1e6, 2)} Mt (p5 ${number(mc.residual_final_t.p5 / 1e6, 2)}, p95 ${number(mc.residual_final_t.p95 / 1e6, 2)})`));
  };
  draw();
  onChange(() => { if (wedgesEl.isConnected) draw(); });
  await inventory.load();
}
