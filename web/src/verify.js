// Checks a C2SP tlog-proof bundle in the browser with WebCrypto, step by step:
//   RFC 9162 §2.1.1 leaf hash, §2.1.3.2 inclusion proof against the checkpoint's root, §2.1.4.2
//   consistency of an anchored tree with it,
//   C2SP signed-note Ed25519 signature of the log, C2SP tlog-cosignature (cosignature/v1) of witnesses.
// Nothing here trusts the server: the verdict rests on the log's verifier key alone.

const HEADER = "c2sp.org/tlog-proof@v1";
const LEAF_PREFIX = 0x00; // RFC 9162 §2.1.1
const NODE_PREFIX = 0x01;
const ALG_ED25519 = 0x01; // signed-note, "Signature types"
const ALG_COSIGNATURE_V1 = 0x04; // tlog-cosignature
const SIG_PREFIX = "\u2014 "; // em dash and space

export class VerificationError extends Error {}

const enc = new TextEncoder();
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
export const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

export function b64(text, what) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) {
    throw new VerificationError(`${what}: expected base64, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export function parseBundle(text) {
  const cut = text.indexOf("\n\n");
  if (cut < 0) throw new VerificationError("proof: no blank line before the checkpoint");
  const lines = text.slice(0, cut).split("\n");
  if (lines[0] !== HEADER) throw new VerificationError(`proof line 1: expected ${HEADER}`);
  let pos = 1;
  let extra = null;
  if (lines[pos]?.startsWith("extra ")) extra = b64(lines[pos++].slice(6), "extra");
  const m = /^index (0|[1-9][0-9]*)$/.exec(lines[pos] ?? "");
  if (!m) throw new VerificationError(`proof line ${pos + 1}: expected 'index <N>'`);
  const hashes = lines.slice(pos + 1).map((l, i) => {
    const h = b64(l, `proof line ${pos + 2 + i}`);
    if (h.length !== 32) throw new VerificationError(`proof line ${pos + 2 + i}: hash of ${h.length} bytes, expected 32`);
    return h;
  });
  return { index: BigInt(m[1]), hashes, extra, checkpoint: text.slice(cut + 2) };
}

export function parseNote(text) {
  const cut = text.lastIndexOf("\n\n");
  if (cut < 0) throw new VerificationError("checkpoint: no blank line before the signatures");
  const body = text.slice(0, cut + 1);
  const signatures = text.slice(cut + 2).split("\n").filter((l) => l).map((line) => {
    if (!line.startsWith(SIG_PREFIX)) throw new VerificationError(`checkpoint: bad signature line ${line.slice(0, 40)}`);
    const [name, sig] = line.slice(SIG_PREFIX.length).split(" ");
    const raw = b64(sig ?? "", `signature of ${name}`);
    return { name, keyId: hex(raw.slice(0, 4)), raw };
  });
  const [origin, size, root] = body.split("\n");
  if (!/^(0|[1-9][0-9]*)$/.test(size ?? "")) throw new VerificationError(`checkpoint: bad tree size ${size}`);
  return { body, origin, size: BigInt(size), root: b64(root ?? "", "checkpoint root hash"), signatures };
}

async function keyId(name, alg, publicKey) {
  return hex((await sha256(concat(enc.encode(name), Uint8Array.of(0x0a, alg), publicKey))).slice(0, 4));
}

export async function parseVerifierKey(text) {
  // name+id+base64: the base64 may itself contain "+", so split at the first two only
  const [name, id, ...rest] = text.trim().split("+");
  const key = rest.join("+");
  const raw = b64(key ?? "", `verifier key ${name}`);
  if (raw.length !== 33) throw new VerificationError(`verifier key ${name}: expected 33 bytes, got ${raw.length}`);
  const publicKey = raw.slice(1);
  if ((await keyId(name, raw[0], publicKey)) !== id) {
    throw new VerificationError(`verifier key ${name}: key ID ${id} does not match the key`);
  }
  return { name, id, alg: raw[0], publicKey };
}

async function ed25519(publicKey, signature, message) {
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}

export const leafHash = (entry) => sha256(concat(Uint8Array.of(LEAF_PREFIX), entry));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(NODE_PREFIX), left, right));

// RFC 9162 §2.1.3.2: the root that the inclusion proof yields for the leaf at `index` of `size`.
export async function rootFromInclusion(leaf, index, size, hashes) {
  if (index >= size) throw new VerificationError(`index ${index} is not below the tree size ${size}`);
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of hashes) {
    if (sn === 0n) throw new VerificationError("inclusion proof: more hashes than the tree has levels");
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new VerificationError("inclusion proof: fewer hashes than the tree has levels");
  return r;
}

// RFC 9162 §2.1.4.2: check that the tree of `size1` with `root1` is a prefix of the tree of
// `size2` with `root2`, given the consistency proof `hashes`.
export async function verifyConsistency(size1, size2, root1, root2, hashes) {
  if (size1 > size2) throw new VerificationError(`consistency: size ${size1} is beyond ${size2}`);
  if (size1 === size2) {
    if (hashes.length || !equal(root1, root2)) throw new VerificationError(`consistency: two roots for size ${size1}`);
    return;
  }
  if (size1 === 0n) return;
  if (!hashes.length) throw new VerificationError("consistency: empty proof");
  const path = (size1 & (size1 - 1n)) === 0n ? [root1, ...hashes] : [...hashes];
  let fn = size1 - 1n;
  let sn = size2 - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) throw new VerificationError("consistency proof: more hashes than the tree has levels");
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new VerificationError("consistency proof: fewer hashes than the tree has levels");
  if (!equal(fr, root1)) throw new VerificationError(`consistency: anchored root at size ${size1} differs: got ${hex(fr).slice(0, 16)}…`);
  if (!equal(sr, root2)) throw new VerificationError(`consistency: root at size ${size2} differs: got ${hex(sr).slice(0, 16)}…`);
}

// The log's signature on the checkpoint (signed-note, Ed25519, type 0x01).
export async function checkSignature(note, key) {
  const line = note.signatures.find((s) => s.name === key.name && s.keyId === key.id);
  if (!line) throw new VerificationError(`checkpoint: no signature by ${key.name}+${key.id}`);
  const ok = await ed25519(key.publicKey, line.raw.slice(4), enc.encode(note.body));
  if (!ok) throw new VerificationError(`checkpoint: the signature of ${key.name} does not verify`);
}

// A witness's cosignature/v1 (type 0x04): keyID ‖ timestamp (8 bytes, big-endian) ‖ Ed25519 signature.
export async function checkCosignature(note, witness) {
  const id = await keyId(witness.name, ALG_COSIGNATURE_V1, witness.publicKey);
  const line = note.signatures.find((s) => s.name === witness.name && s.keyId === id);
  if (!line || line.raw.length !== 76) return null;
  const ts = new DataView(line.raw.buffer).getBigUint64(4);
  const message = concat(enc.encode(`cosignature/v1\ntime ${ts}\n`), enc.encode(note.body));
  return (await ed25519(witness.publicKey, line.raw.slice(12), message)) ? Number(ts) : null;
}

// Verify a bundle; `report(step, ok, detail)` is called for each step. Returns the proven entry
// (the bundle's `extra`, parsed as JSON) or throws VerificationError at the first failed step.
export async function verifyBundle(text, { logKey, witnesses = [], quorum = 0 }, report = () => {}) {
  const step = async (name, f) => {
    try {
      const detail = await f();
      report(name, true, detail);
      return detail;
    } catch (e) {
      report(name, false, e.message);
      throw e instanceof VerificationError ? e : new VerificationError(`${name}: ${e.message}`);
    }
  };
  const bundle = await step("parse", () => parseBundle(text));
  const note = parseNote(bundle.checkpoint);
  const key = await parseVerifierKey(logKey);
  await step("signature", async () => { await checkSignature(note, key); return `${key.name}+${key.id}`; });
  const cosigned = await step("witnesses", async () => {
    const ok = [];
    for (const w of witnesses) {
      const wkey = await parseVerifierKey(w);
      if ((await checkCosignature(note, wkey)) !== null) ok.push(wkey.name);
    }
    if (ok.length < quorum) throw new VerificationError(`${ok.length} of ${quorum} witness cosignatures needed`);
    return ok;
  });
  if (!bundle.extra) throw new VerificationError("proof: no entry (extra) to check");
  const leaf = await step("leaf", async () => hex(await leafHash(bundle.extra)));
  await step("inclusion", async () => {
    const root = await rootFromInclusion(await leafHash(bundle.extra), bundle.index, note.size, bundle.hashes);
    if (!equal(root, note.root)) {
      throw new VerificationError(`root hash at size ${note.size}: expected ${hex(note.root).slice(0, 16)}…, got ${hex(root).slice(0, 16)}…`);
    }
    return hex(root);
  });
  const entry = JSON.parse(new TextDecoder().decode(bundle.extra));
  return { entry, index: bundle.index, size: note.size, root: note.root, leaf, cosigned };
}
