// Builds the dashboard into src/citytwin/web/static (run by `make web` after `npm ci`).
// Output is deterministic for a given package-lock.json: no timestamps, no source maps.
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";

const out = "../src/citytwin/web/static";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// Views and ECharts are split into chunks loaded when needed, so that the first map does not wait
// for the charts' code to be parsed.
await build({
  entryPoints: { app: "src/main.js" },
  bundle: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  minify: true,
  target: "es2022",
  charset: "utf8",
  legalComments: "linked",
  outdir: out,
  logLevel: "info",
});
// MapLibre 6 starts its worker from ./maplibre-gl-worker.mjs next to the importing module.
cpSync("node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs", `${out}/maplibre-gl-worker.mjs`);
cpSync("node_modules/maplibre-gl/dist/maplibre-gl.css", `${out}/maplibre-gl.css`);
cpSync("public", out, { recursive: true });
