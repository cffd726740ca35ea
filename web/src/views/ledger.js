// The ledger: the latest checkpoint with its signatures, the verifier keys, the checkpoint history,
// and a proof checker
// for the latest reading of any station.
import * as api from "../api.js";
import { clear, h, label } from "../dom.js";
import { apply, name } from "../i18n.js";
import { anchorList } from "../anchors.js";
import { proofPanel } from "../proofpanel.js";
import { parseNote } from "../verify.js";
import { checkpointCard } from "./checkpoint.js";
import { historyCard } from "./history.js";

export async function render(main, ctx) {
  const [ledger, ov, history] = await Promise.all([ctx.ledger(), api.overview(), api.ledgerHistory()]);
  // every anchor covers entry 0: the chain's record of this log, checked against the latest checkpoint
  const anchors = h("section", { class: "card span2", "data-testid": "ledger-anchors" },
    h("h2", {}, label("anchor.ledgerTitle")), await anchorList(0n, parseNote(ledger.checkpoint)));
  const slot = h("div", { class: "span2" });
  const withData = ov.stations.filter((s) => s.latest && s.latest.pm25 !== null);
  const select = h("select", { "data-testid": "proof-station", "aria-label": "station" },
    withData.map((s) => h("option", { value: s.station_id }, name(s))));
  const show = () => {
    const s = withData.find((x) => x.station_id === select.value);
    if (s) slot.replaceChildren(proofPanel({ entity_id: s.entity_id, attribute: "pm25",
      observed_at: s.latest.observed_at, value: s.latest.pm25 }, ledger));
  };
  select.addEventListener("change", show);
  clear(main).append(h("div", { class: "grid" },
    checkpointCard(ledger),
    h("section", { class: "card" }, h("h2", {}, label("ledger.keys")),
      h("dl", { class: "kv" }, h("dt", {}, label("ledger.logKey")), h("dd", {}, h("code", { class: "hash" }, ledger.verifier_key)),
        ...ledger.witnesses.flatMap((w) => [h("dt", {}, w.name), h("dd", {}, h("code", { class: "hash" }, w.vkey))])),
      h("p", { class: "muted" }, label("ledger.keyAdvice")),
      h("p", {}, h("a", { href: "/log/checkpoint" }, label("ledger.rawCheckpoint")))),
    historyCard(history),
    anchors,
    h("section", { class: "card span2" }, h("h2", {}, label("ledger.verifyFigure")),
      h("label", {}, label("ledger.pickStation"), " ", select)),
    slot));
  apply(main);
  show();
}
