// The checkpoint history: every checkpoint the log published (size over time) and the latest
// ones with their root and the witnesses whose cosignature the server verified.
import { checkpointSizes } from "../charts.js";
import { h, label } from "../dom.js";
import { apply, dateTime, number, onChange, t } from "../i18n.js";

const SHOWN = 12;
const COLUMNS = ["history.published", "ledger.size", "ledger.root", "history.cosignatures", "history.valid"];

export function historyCard(history) {
  const chartEl = h("div", { class: "chart", "data-testid": "history-chart" });
  const rows = h("tbody");
  const summary = h("p", { class: "muted", "data-testid": "history-summary" });
  const card = h("section", { class: "card span2", "data-testid": "history" },
    h("h2", {}, label("history.title")), summary, chartEl,
    h("table", { class: "table", "data-testid": "history-table" },
      h("thead", {}, h("tr", {}, COLUMNS.map((k) => h("th", { scope: "col" }, label(k))))), rows));
  apply(card);
  const cps = history.checkpoints;
  const draw = () => {
    summary.textContent = cps.length ? t("history.summary", { n: number(cps.length),
      first: dateTime(cps[0].published), last: dateTime(cps[cps.length - 1].published) }) : t("history.none");
    checkpointSizes(chartEl, cps);
    rows.replaceChildren(...cps.slice(-SHOWN).reverse().map((c) => h("tr", { "data-size": c.size ?? "" },
      h("td", {}, dateTime(c.published)), h("td", {}, number(c.size)),
      h("td", {}, h("code", { class: "hash", title: c.root ?? "" }, c.root ? `${c.root.slice(0, 16)}…` : "—")),
      h("td", { "data-testid": "cosignatures" }, `${number(c.cosigned_by.length)} / ${number(history.quorum)}`),
      h("td", { class: c.verified ? "ok" : "fail", title: c.error ?? "" },
        c.verified ? `✔ ${t("history.ok")}` : `✘ ${c.error}`))));
  };
  draw();
  onChange(() => { if (card.isConnected) draw(); });
  return card;
}
