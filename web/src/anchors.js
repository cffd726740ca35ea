// Chain anchors covering a record (issue 10): the transactions and blocks of the EVM chain that
// recorded a checkpoint of the log at or beyond the record, from /api/v1/proofs/anchors/{index}.
// Each anchored tree is checked in the browser to be a prefix of the verified checkpoint's tree
// (RFC 9162 consistency proof), when the log has not grown since the proof was fetched.
import * as api from "./api.js";
import { h } from "./dom.js";
import { number, t } from "./i18n.js";
import { hex, verifyConsistency } from "./verify.js";

const bytes = (h0x) => Uint8Array.from(h0x.replace(/^0x/, "").match(/../g) ?? [], (x) => parseInt(x, 16));

// A list for the record at `index`; `proven` = {size, root} of a verified checkpoint, or null.
export async function anchorList(index, proven) {
  const el = h("div", { class: "anchors", "data-testid": "anchors" });
  let a;
  try {
    a = await api.anchors(index);
  } catch (e) {
    el.append(h("p", { class: "fail" }, `${t("anchor.error")}: ${e.message}`));
    el.dataset.state = "error";
    return el;
  }
  el.dataset.state = !a.configured ? "not-configured" : a.error ? "error" : a.anchors.length ? "anchored" : "none";
  if (!a.configured) el.append(h("p", { class: "muted" }, t("anchor.notConfigured")));
  else if (a.error) el.append(h("p", { class: "fail" }, `${t("anchor.error")}: ${a.error}`));
  else if (!a.anchors.length) el.append(h("p", { class: "muted" }, t("anchor.none")));
  const sameTree = proven && BigInt(a.checkpoint?.size ?? -1) === proven.size
    && a.checkpoint.root.replace(/^0x/, "") === hex(proven.root);
  const items = [];
  for (const link of a.anchors) {
    let check = t("anchor.unchecked");
    let cls = "";
    if (sameTree && link.consistency) {
      try {
        await verifyConsistency(BigInt(link.size), proven.size, bytes(link.root), proven.root,
          link.consistency.map(bytes));
        check = `✔ ${t("anchor.consistent")}`;
        cls = "ok";
      } catch (e) {
        check = `✘ ${e.message}`;
        cls = "fail";
      }
    }
    items.push(h("li", { "data-block": link.block, class: cls },
      t("anchor.link", { block: number(link.block), size: number(link.size) }), " ",
      h("code", { class: "hash", "data-testid": "anchor-tx" }, link.tx), " · ", check));
  }
  if (items.length) el.append(h("ul", {}, items));
  return el;
}

