// The citytwin dashboard: hash routes #/ (overview), #/station/<id>, #/air, #/carbon, #/finance,
// #/programs, #/ledger; zh-CN / en.
import { prewarm, setWorkerUrl } from "maplibre-gl";
import * as api from "./api.js";
import { h } from "./dom.js";
import * as i18n from "./i18n.js";

// Each view is a chunk of its own, loaded on first use.
const VIEWS = {
  overview: () => import("./views/overview.js"),
  station: () => import("./views/station.js"),
  air: () => import("./views/air.js"),
  carbon: () => import("./views/carbon.js"),
  finance: () => import("./views/finance.js"),
  programs: () => import("./views/programs.js"),
  ledger: () => import("./views/ledger.js"),
};

// MapLibre 6 starts its worker from this module's URL; name the copy we ship beside app.js.
setWorkerUrl(new URL("./maplibre-gl-worker.mjs", import.meta.url).href);
prewarm(); // start the workers (and compile their code) now, while the first view's data comes

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
    const name = (view === "station" && !arg) || !VIEWS[view] ? "overview" : view;
    const module = await VIEWS[name]();
    await module.render(main, ctx, arg && decodeURIComponent(arg));
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
