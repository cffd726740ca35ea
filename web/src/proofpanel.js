// "Verify this figure": fetch the proof of the reading behind a number on screen and check it
// in the browser, showing each step; an altered proof fails loudly.
import { anchorList } from "./anchors.js";
import * as api from "./api.js";
import { h, label } from "./dom.js";
import { t, apply, number } from "./i18n.js";
import { verifyBundle } from "./verify.js";

const STEPS = ["parse", "signature", "witnesses", "leaf", "inclusion", "figure"];

// A panel for the reading `figure` = {entity_id, attribute, observed_at, value}.
export function proofPanel(figure, ledgerInfo) {
  const status = h("p", { class: "verdict", role: "status", "aria-live": "polite", "data-testid": "verdict" });
  const steps = h("ol", { class: "steps" });
  const anchorSlot = h("div", { "data-testid": "anchor-slot" });
  let logIndex = null;
  const bundleBox = h("textarea", { class: "bundle", rows: 8, spellcheck: "false", "data-testid": "bundle",
    "aria-label": t("proof.bundle") });
  const run = async (text) => {
    steps.replaceChildren();
    status.className = "verdict pending";
    status.textContent = t("proof.checking");
    const report = (step, ok, detail) => steps.append(h("li", { class: ok ? "ok" : "fail" },
      h("strong", {}, `${ok ? "✔" : "✘"} ${t(`proof.step.${step}`)}`), " ",
      h("code", {}, typeof detail === "string" ? detail : Array.isArray(detail) ? detail.join(", ") || "—" : "")));
    try {
      const proven = await verifyBundle(text, {
        logKey: ledgerInfo.verifier_key,
        witnesses: ledgerInfo.witnesses.map((w) => w.vkey),
        quorum: ledgerInfo.quorum,
      }, report);
      const e = proven.entry;
      const same = e.entity_id === figure.entity_id && e.attribute === figure.attribute
        && Date.parse(e.observed_at) === Date.parse(figure.observed_at) && Number(e.value) === Number(figure.value);
      report("figure", same, `${e.attribute} = ${e.value} ${e.unit ?? ""} @ ${e.observed_at} (${t("proof.index")} ${proven.index})`);
      if (!same) throw new Error("figure differs from the proven entry");
      status.className = "verdict ok";
      status.textContent = t("proof.verified");
      status.dataset.result = "verified";
      if (logIndex === proven.index) {
        anchorSlot.replaceChildren(h("h4", {}, t("anchor.title")), await anchorList(proven.index, proven));
      }
    } catch (e) {
      status.className = "verdict fail";
      status.textContent = `${t("proof.notVerified")}: ${e.message}`;
      status.dataset.result = "not-verified";
    }
  };
  const fetchAndRun = async () => {
    status.dataset.result = "";
    anchorSlot.replaceChildren();
    try {
      const proof = await api.observationProof(figure.entity_id, figure.attribute, figure.observed_at);
      bundleBox.value = proof.text;
      logIndex = BigInt(proof.index);
    } catch (e) {
      status.className = "verdict fail";
      status.textContent = `${t("proof.notVerified")}: ${e.message}`;
      status.dataset.result = "not-verified";
      return;
    }
    await run(bundleBox.value);
  };
  const panel = h("section", { class: "card proof", "data-testid": "proof-panel" },
    h("h3", {}, label("proof.title")),
    h("p", {}, label("proof.figure"), " ", h("strong", { "data-testid": "figure" },
      `${figure.attribute.toUpperCase()} ${number(figure.value, 1)}`), " · ", h("code", {}, figure.entity_id),
      " · ", h("code", {}, figure.observed_at)),
    h("div", { class: "row" },
      h("button", { type: "button", onclick: fetchAndRun, "data-testid": "verify" }, label("proof.verify")),
      h("button", { type: "button", onclick: () => run(bundleBox.value), "data-testid": "reverify" },
        label("proof.reverify"))),
    status, steps, anchorSlot, h("details", {}, h("summary", {}, label("proof.bundle")), bundleBox));
  apply(panel);
  return panel;
}

export const stepNames = STEPS;
