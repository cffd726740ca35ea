// Green finance: the carbon-credit registry's totals and accounts (replayed from the log on the
// server), the green projects' current signed versions, and each green bond's allocation and
// pro-rata impact — as citytwin.finance computes them.
import * as api from "../api.js";
import { clear, h, label } from "../dom.js";
import { apply, has, lang, name, number, onChange, t } from "../i18n.js";

const TOTALS = ["issued", "active", "retired", "cancelled", "buffer"];
const head = (keys) => h("thead", {}, h("tr", {}, keys.map((k) => h("th", { scope: "col" }, label(k)))));
const mcny = (x) => number(x / 1e6, 1);
const cat = (c) => (c ? `${c.code} ${lang() === "en" ? c.en : c.zh}` : "—");
const impactText = (impact) => Object.entries(impact || {}).map(([k, v]) =>
  `${has(`finance.impact.${k}`) ? t(`finance.impact.${k}`) : k} ${number(v)}`).join(" · ") || "—";

export async function render(main) {
  const [f, ov] = await Promise.all([api.finance(), api.overview()]);
  const areas = Object.fromEntries(ov.areas.map((a) => [a.jurisdiction, a]));
  const where = (code) => name(areas[code]) || code;
  const totals = h("tbody");
  const accounts = h("tbody");
  const adjustments = h("ul", { "data-testid": "adjustments" });
  const projects = h("tbody");
  const bondsEl = h("div", { "data-testid": "bonds" });
  clear(main).append(h("div", { class: "grid" },
    h("section", { class: "card" }, h("h2", {}, label("finance.registry")),
      h("table", { class: "table", "data-testid": "registry-totals" }, head(["finance.status", "finance.tonnes"]), totals),
      h("h3", {}, label("finance.adjustments")), adjustments),
    h("section", { class: "card" }, h("h2", {}, label("finance.accounts")),
      h("table", { class: "table", "data-testid": "accounts" }, head(["finance.account", "finance.holder",
        "table.jurisdiction", "finance.active", "finance.retired", "finance.cancelled"]), accounts)),
    h("section", { class: "card span2" }, h("h2", {}, label("finance.projects")),
      h("table", { class: "table", "data-testid": "projects" }, head(["finance.project", "table.jurisdiction",
        "finance.category", "finance.projectStatus", "finance.investment", "finance.expected", "finance.reported"]),
      projects)),
    h("section", { class: "card span2" }, h("h2", {}, label("finance.bonds")), bondsEl)));
  apply(main);
  const reg = f.registry;
  const draw = () => {
    totals.replaceChildren(...TOTALS.map((k) => h("tr", { "data-total": k },
      h("td", {}, t(`finance.total.${k}`)), h("td", {}, number(reg.totals_t[k])))));
    accounts.replaceChildren(...reg.accounts.map((a) => h("tr", { "data-account": a.account },
      h("td", {}, h("code", {}, a.account), a.kind === "buffer" ? ` (${t("finance.bufferAccount")})` : ""),
      h("td", {}, a.holder), h("td", {}, where(a.jurisdiction)), h("td", {}, number(a.active)),
      h("td", {}, number(a.retired)), h("td", {}, number(a.cancelled)))));
    adjustments.replaceChildren(...(reg.adjustments.length ? reg.adjustments.map((a) => h("li", {},
      t("finance.adjustment", { t: number(a.co2e_t), where: where(a.jurisdiction), vintage: a.vintage })))
      : [h("li", {}, t("finance.noAdjustments"))]));
    projects.replaceChildren(...(f.projects.length ? f.projects.map((p) => h("tr", { "data-project": p.project_id },
      h("td", {}, name(p)), h("td", {}, where(p.jurisdiction)), h("td", {}, cat(p.category)),
      h("td", {}, has(`finance.state.${p.status}`) ? t(`finance.state.${p.status}`) : p.status),
      h("td", {}, mcny(p.investment_cny)), h("td", {}, impactText(p.expected_impact)),
      h("td", {}, impactText(p.reported_impact))))
      : [h("tr", {}, h("td", { colspan: 7 }, t("finance.none")))]));
    const projectName = Object.fromEntries(f.projects.map((p) => [p.project_id, p]));
    bondsEl.replaceChildren(...(f.bonds.length ? f.bonds.map((b) => h("div", { class: "bond", "data-bond": b.bond_id },
      h("h3", {}, `${b.name} · ${b.issuer}`),
      h("p", { class: "muted" }, t("finance.bondLine", { amount: mcny(b.amount_cny), allocated: mcny(b.allocated_cny),
        unallocated: mcny(b.unallocated_cny), edition: b.edition, day: b.issued_on })),
      h("table", { class: "table" }, head(["finance.project", "finance.category", "finance.allocatedM", "finance.share",
        "finance.basis", "finance.attributed"]),
      h("tbody", {}, b.allocations.map((a) => h("tr", {}, h("td", {}, name(projectName[a.project_id]) || a.project_id),
        h("td", {}, cat(a.category)), h("td", {}, mcny(a.amount_cny)), h("td", {}, `${number(100 * a.share, 1)}%`),
        h("td", {}, t(`finance.basis.${a.impact_basis}`)), h("td", {}, impactText(a.impact)))))),
      h("p", { "data-testid": "impact-totals" }, h("strong", {}, `${t("finance.impactTotals")}: `),
        impactText(b.impact_totals))))
      : [h("p", {}, t("finance.none"))]));
    apply(bondsEl); // the bond tables' headings are made here
  };
  draw();
  onChange(() => { if (totals.isConnected) draw(); });
}
