// Builds the dashboard into src/citytwin/web/static (run by `make web` after `npm ci`).
// Output is deterministic for a given package-lock.json: no timestamps, no source maps.
import { build } from "esbuild";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const out = "../src/citytwin/web/static";
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// Views and ECharts are split into chunks loaded when needed, so that the first map does not wait
// for the charts' code to be parsed.
const result = await build({
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
  metafile: true,
});
// MapLibre 6 starts its worker from ./maplibre-gl-worker.mjs next to the importing module.
cpSync("node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs", `${out}/maplibre-gl-worker.mjs`);
cpSync("node_modules/maplibre-gl/dist/maplibre-gl.css", `${out}/maplibre-gl.css`);
cpSync("public", out, { recursive: true });

// The page names every chunk the first view (the overview and its map) needs as a modulepreload,
// so that the browser fetches them at once rather than one import level at a time.
const outputs = result.metafile.outputs;
const needed = new Set();
const visit = (file) => {
  if (needed.has(file)) return;
  needed.add(file);
  for (const i of outputs[file].imports) if (i.kind === "import-statement") visit(i.path);
};
const staticDir = out.replace(/^\.\.\//, "");
const key = (file) => Object.keys(outputs).find((k) => k.endsWith(file));
visit(key("/app.js"));
visit(Object.keys(outputs).find((k) => outputs[k].entryPoint === "src/views/overview.js"));
const links = [...needed].filter((f) => !f.endsWith("/app.js")).sort()
  .map((f) => `<link rel="modulepreload" href="/static/${f.slice(f.indexOf(staticDir) + staticDir.length + 1)}">`);
const page = readFileSync("public/index.html", "utf8");
if (!page.includes("<!-- modulepreload -->")) throw new Error("public/index.html: no <!-- modulepreload --> marker");
writeFileSync(`${out}/index.html`, page.replace("<!-- modulepreload -->", links.join("\n")));
