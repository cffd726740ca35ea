// A reference GPC inventory (CEADs Beijing, or the Tongzhou ESTIMATE downscaled from it) by
// sector and scope, with its totals, as citytwin.carbon computes them.
import * as api from "../api.js";
import { inventoryBars } from "../charts.js";
import { h, label } from "../dom.js";
import { apply, lang, name, number, onChange, t } from "../i18n.js";

export function inventoryCard() {
  const reference = h("select", { "data-testid": "inventory-reference", "data-i18n-aria": "inventory.reference" },
    h("option", { value: "tongzhou", "data-i18n": "inventory.tongzhou" }),
    h("option", { value: "beijing", "data-i18n": "inventory.beijing" }));
  const year = h("select", { "data-testid": "inventory-year", "data-i18n-aria": "inventory.year" });
  const title = h("p", { "data-testid": "inventory-name" });
  const estimate = h("p", { class: "estimate", "data-testid": "inventory-estimate", hidden: true });
  const chartEl = h("div", { class: "chart", "data-testid": "inventory-chart" });
  const totals = h("tbody");
  const card = h("section", { class: "card span2", "data-testid": "inventory", "data-ready": "false" },
    h("h2", {}, label("inventory.title")),
    h("div", { class: "row" }, h("label", {}, label("inventory.reference"), " ", reference),
      h("label", {}, label("inventory.year"), " ", year)),
    title, estimate,
    h("div", { class: "grid" }, chartEl,
      h("table", { class: "table", "data-testid": "inventory-totals" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, label("inventory.total")),
          h("th", { scope: "col" }, label("inventory.co2e")))), totals)));
  apply(card);
  let inv = null;
  const draw = () => {
    if (!inv) return;
    title.textContent = inv.name;
    estimate.hidden = inv.label !== "estimate";
    estimate.textContent = `${t("inventory.estimate")} ${inv.method}`;
    inventoryBars(chartEl, inv, (s) => name(s));
    totals.replaceChildren(...inv.totals.map((x) => h("tr", { "data-total": x.total },
      h("td", {}, lang() === "en" ? x.name_en : x.name_zh), h("td", {}, number(x.co2e_t / 1e6, 3)))));
  };
  const load = async () => {
    card.dataset.ready = "false";
    inv = await api.inventory(reference.value, year.value || 2019);
    if (!year.options.length) {
      year.replaceChildren(...inv.years.map((y) => h("option", { value: y, selected: y === inv.year }, String(y))));
    }
    draw();
    card.dataset.ready = "true";
  };
  reference.addEventListener("change", load);
  year.addEventListener("change", load);
  onChange(() => { if (card.isConnected) draw(); });
  return { card, load };
}
