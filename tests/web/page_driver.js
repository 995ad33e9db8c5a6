// Drive headless Chromium over the DevTools protocol (no browser download, no npm packages):
//   node --experimental-websocket page_driver.js CHROMIUM URL [TIMEOUT_S]
// Opens URL, waits until document.body.dataset.state is "ready" or "failed", prints one JSON object
// {state, rows: [[cell…]…], batch: <parsed #batch-json>, error: <#error text>} and closes the browser.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [chromium, url, timeoutArg] = process.argv.slice(2);
const deadline = Date.now() + 1000 * Number(timeoutArg || 60);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "vsg-chromium-"));
const browser = spawn(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", `--user-data-dir=${profile}`,
  "about:blank"], { stdio: ["ignore", "ignore", "pipe"] });

let done = false;
function finish(code, out) {
  if (done) return;
  done = true;
  if (out) process.stdout.write(JSON.stringify(out) + "\n");
  const cleanup = () => {
    try { fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 }); } catch (e) { /* best effort */ }
    process.exit(code);
  };
  if (browser.exitCode !== null || browser.signalCode !== null) cleanup();
  else { browser.once("exit", cleanup); browser.kill("SIGKILL"); setTimeout(cleanup, 3000); }
}
setTimeout(() => { process.stderr.write("page_driver: timed out\n"); finish(3); }, deadline - Date.now());

let buf = "";
browser.stderr.on("data", (d) => {
  buf += d.toString();
  const m = buf.match(/DevTools listening on (ws:\/\/\S+)/);
  if (m) { browser.stderr.removeAllListeners("data"); browser.stderr.resume(); run(m[1]).catch((e) => {
    process.stderr.write(`page_driver: ${e.stack || e}\n`); finish(2); }); }
});
browser.on("exit", (code) => {
  if (!done) { process.stderr.write(`page_driver: chromium exited (${code})\n${buf}`); finish(4); }
});

async function run(wsUrl) {
  const ws = new WebSocket(wsUrl);
  await new Promise((res, rej) => { ws.onopen = res; ws.onerror = rej; });
  let id = 0;
  const pending = new Map();
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); }
  };
  const send = (method, params = {}, sessionId) => new Promise((res) => {
    const n = ++id;
    pending.set(n, res);
    ws.send(JSON.stringify(sessionId ? { id: n, method, params, sessionId } : { id: n, method, params }));
  });
  const { result: { targetId } } = await send("Target.createTarget", { url: "about:blank" });
  const { result: { sessionId } } = await send("Target.attachToTarget", { targetId, flatten: true });
  await send("Page.navigate", { url }, sessionId);
  const evaluate = async (expr) => {
    const r = await send("Runtime.evaluate", { expression: expr, returnByValue: true }, sessionId);
    return r.result && r.result.result ? r.result.result.value : undefined;
  };
  for (;;) {
    const state = await evaluate("document.body ? document.body.dataset.state : ''");
    if (state === "ready" || state === "failed") break;
    if (Date.now() > deadline) throw new Error(`page state stayed ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const out = await evaluate(`({
    state: document.body.dataset.state,
    rows: [...document.querySelectorAll("#clips tbody tr")].map(tr => [...tr.cells].slice(0, 5).map(td => td.textContent)),
    batch: JSON.parse(document.getElementById("batch-json").textContent),
    error: document.getElementById("error").textContent,
  })`);
  finish(0, out);
}
