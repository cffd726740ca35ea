// The citytwin dashboard: hash routes #/ (overview), #/station/<id>, #/air, #/carbon, #/finance,
// #/ledger; zh-CN / en.
import { setWorkerUrl } from "maplibre-gl";
import * as api from "./api.js";
import { h } from "./dom.js";
import * as i18n from "./i18n.js";
import * as airView from "./views/air.js";
import * as carbonView from "./views/carbon.js";
import * as financeView from "./views/finance.js";
import * as ledgerView from "./views/ledger.js";
import * as overviewView from "./views/overview.js";
import * as stationView from "./views/station.js";

// MapLibre 6 starts its worker from this module's URL; name the copy we ship beside app.js.
setWorkerUrl(new URL("./maplibre-gl-worker.mjs", import.meta.url).href);

let ledgerInfo = null;
const ctx = {
  map: null,
  ledger: async () => (ledgerInfo ??= await api.ledger()),
};
window.citytwin = ctx; // for the tests and the curious: the map and the ledger info

async function route() {
  const main = document.getElementById("main");
  const [, view = "", arg] = location.hash.replace(/^#/, "").split("/");
  for (const a of document.querySelectorAll("nav a")) {
    a.toggleAttribute("aria-current", a.getAttribute("href") === `#/${view}`);
  }
  if (ctx.map) { ctx.map.remove(); ctx.map = null; }
  ledgerInfo = null;
  main.dataset.view = view || "overview";
  main.dataset.ready = "false";
  main.replaceChildren(h("p", { class: "muted", "data-i18n": "app.loading" }, i18n.t("app.loading")));
  try {
    if (view === "station" && arg) await stationView.render(main, ctx, decodeURIComponent(arg));
    else if (view === "ledger") await ledgerView.render(main, ctx);
    else if (view === "carbon") await carbonView.render(main, ctx);
    else if (view === "air") await airView.render(main, ctx);
    else if (view === "finance") await financeView.render(main, ctx);
    else await overviewView.render(main, ctx);
  } catch (e) {
    main.replaceChildren(h("p", { class: "error", role: "alert" }, `${i18n.t("app.error")}: ${e.message}`));
  }
  main.dataset.ready = "true";
}

async function start() {
  await i18n.load(i18n.initial());
  const button = document.getElementById("lang");
  button.addEventListener("click", () => i18n.load(i18n.lang() === "en" ? "zh-CN" : "en"));
  window.addEventListener("hashchange", route);
  await route();
}

start();
