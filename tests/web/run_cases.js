// node run_cases.js WASM CASES.json -> prints a JSON list: one {ok, …} answer per case, in order.
// Answers have the shape of the WASM functions' JSON (errors: {ok: false, error}).
"use strict";
const fs = require("fs");
const path = require("path");
const { VsgClip } = require(path.join(__dirname, "..", "..", "web", "vsg_clip.js"));

const [wasmPath, casesPath] = process.argv.slice(2);
VsgClip.load(fs.readFileSync(wasmPath)).then((c) => {
  const out = [];
  for (const { fn, args } of JSON.parse(fs.readFileSync(casesPath, "utf8")).cases) {
    try {
      let v;
      if (fn === "parse_timestamp") v = c.parseTimestamp(...args);
      else if (fn === "format_timestamp") v = { text: c.formatTimestamp(...args) };
      else if (fn === "resolve_range") v = c.resolveRange(...args);
      else if (fn === "plan") v = c.plan(args[0]);
      else if (fn === "progress_fraction") v = { fraction: c.progressFraction(...args) };
      else throw new Error(`unknown function ${fn}`);
      out.push({ ok: true, ...v });
    } catch (e) {
      out.push({ ok: false, error: e.message });
    }
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}).catch((e) => { process.stderr.write(String(e.stack || e) + "\n"); process.exit(1); });
