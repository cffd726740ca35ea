// The latest checkpoint and its signatures, each checked in the browser against the known keys.
import { h, label } from "../dom.js";
import { apply, number, t, onChange } from "../i18n.js";
import { checkCosignature, checkSignature, hex, parseNote, parseVerifierKey } from "../verify.js";

export function checkpointCard(ledger) {
  const sigs = h("ul", { class: "sigs", "data-testid": "signatures" });
  const note = parseNote(ledger.checkpoint);
  const card = h("section", { class: "card", "data-testid": "checkpoint" },
    h("h2", {}, label("ledger.checkpoint")),
    h("dl", { class: "kv" },
      h("dt", {}, label("ledger.origin")), h("dd", {}, h("code", {}, note.origin)),
      h("dt", {}, label("ledger.size")), h("dd", { "data-testid": "tree-size" }, number(Number(note.size))),
      h("dt", {}, label("ledger.root")), h("dd", {}, h("code", { class: "hash" }, hex(note.root))),
      h("dt", {}, label("ledger.quorum")), h("dd", {}, `${ledger.quorum} / ${ledger.witnesses.length}`)),
    h("h3", {}, label("ledger.signatures")), sigs);
  apply(card);
  const results = [];
  const draw = () => sigs.replaceChildren(...results.map((r) => h("li", { class: r.ok ? "ok" : "fail" },
    `${r.ok ? "✔" : "✘"} ${t(r.kind)} `, h("code", {}, r.name), r.detail ? ` ${r.detail}` : "")));
  (async () => {
    const logKey = await parseVerifierKey(ledger.verifier_key);
    try { await checkSignature(note, logKey); results.push({ kind: "ledger.logSignature", name: logKey.name, ok: true }); }
    catch (e) { results.push({ kind: "ledger.logSignature", name: logKey.name, ok: false, detail: e.message }); }
    for (const w of ledger.witnesses) {
      const key = await parseVerifierKey(w.vkey);
      const ts = await checkCosignature(note, key);
      results.push({ kind: "ledger.cosignature", name: key.name, ok: ts !== null,
        detail: ts !== null ? new Date(ts * 1000).toISOString() : t("ledger.missing") });
    }
    if (!ledger.witnesses.length) results.push({ kind: "ledger.noWitnesses", name: "", ok: true });
    draw();
  })();
  onChange(() => { if (card.isConnected) draw(); });
  return card;
}
