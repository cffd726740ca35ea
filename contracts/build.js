// Compile CheckpointAnchor.sol with solc-js (the npm package "solc", version pinned exactly in
// package.json) through the compiler's Standard JSON interface, and write the ABI, the creation
// and runtime bytecode, the exact compiler version and the settings used to
// ../src/citytwin/anchor/CheckpointAnchor.json, which is committed so that users need no Node.js.
// Run it with `make contracts` (or `npm run build --prefix contracts`).
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const SOURCE = "CheckpointAnchor.sol";
const CONTRACT = "CheckpointAnchor";
const OUT = path.join(__dirname, "..", "src", "citytwin", "anchor", CONTRACT + ".json");

// evmVersion "paris" (no PUSH0, no transient storage): accepted by consortium chains whose EVM
// predates Shanghai (FISCO BCOS, Besu networks on older milestones) and by public chains alike.
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "paris",
  metadata: { bytecodeHash: "ipfs" },
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
};

const source = fs.readFileSync(path.join(__dirname, SOURCE), "utf8");
const input = { language: "Solidity", sources: { [SOURCE]: { content: source } }, settings: SETTINGS };
const output = JSON.parse(solc.compile(JSON.stringify(input)));

const errors = (output.errors || []).filter((e) => e.severity === "error");
for (const e of output.errors || []) process.stderr.write(e.formattedMessage + "\n");
if (errors.length) process.exit(1);

const compiled = output.contracts[SOURCE][CONTRACT];
const artifact = {
  contractName: CONTRACT,
  sourceName: SOURCE,
  sourceSha256: crypto.createHash("sha256").update(source, "utf8").digest("hex"),
  compiler: { name: "solc-js", version: solc.version(), settings: SETTINGS },
  abi: compiled.abi,
  bytecode: "0x" + compiled.evm.bytecode.object,
  deployedBytecode: "0x" + compiled.evm.deployedBytecode.object,
};
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, JSON.stringify(artifact, null, 2) + "\n");
process.stdout.write(`wrote ${path.relative(process.cwd(), OUT)} (solc ${artifact.compiler.version})\n`);
