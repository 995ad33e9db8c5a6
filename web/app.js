// The clip-list page: <video> in/out points -> validated clips (vsg's clip core in WASM) -> batch JSON.
// URL parameters (for links and the automated test): video=URL loads a video without the file picker;
// clips=START~END;START~END adds clips by timestamp; marks=IN,OUT;IN,OUT seeks the video to each point
// and uses the Set in / Set out buttons. When the page has done all of that it sets body[data-state=ready].
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const state = { core: null, name: "", clips: [] };

  function showError(msg) { $("error").textContent = msg || ""; }

  function durationMs() {
    const d = $("video").duration;
    return Number.isFinite(d) && d > 0 ? Math.round(d * 1000) : null;
  }

  function batch() {
    return state.clips.map((c) => {
      const job = { input: state.name, start: c.startText, end: c.endText, output: c.output };
      if (c.accurate) job.accurate = true;
      return job;
    });
  }

  function render() {
    const body = $("clips").tBodies[0];
    body.textContent = "";
    state.clips.forEach((c, i) => {
      const tr = body.insertRow();
      tr.className = "clip";
      const cells = [String(i + 1), state.core.formatTimestamp(c.start_ms, "hms"),
        state.core.formatTimestamp(c.end_ms, "hms"), state.core.formatTimestamp(c.end_ms - c.start_ms, "human"),
        c.output];
      for (const text of cells) tr.insertCell().textContent = text;
      const rm = document.createElement("button");
      rm.textContent = "remove";
      rm.addEventListener("click", () => { state.clips.splice(i, 1); render(); });
      tr.insertCell().appendChild(rm);
    });
    $("batch-json").textContent = JSON.stringify(batch(), null, 2);
    $("download").disabled = state.clips.length === 0;
  }

  function addClip(startText, endText) {
    if (!state.core) return false;
    if (!state.name) { showError("pick a video first"); return false; }
    try {
      const r = state.core.resolveRange(startText, endText, null, durationMs());
      const plan = state.core.plan({
        input: state.name, output: null, output_dir: "", start_ms: r.start_ms, end_ms: r.end_ms,
        mode: $("accurate").checked ? "accurate" : "copy", video_codec: "libx264", audio_codec: "aac",
        preset: "fast", crf: 23, max_file_size: 0, taken: state.clips.map((c) => c.output),
      });
      state.clips.push({ startText: startText.trim(), endText: endText.trim(), start_ms: r.start_ms,
        end_ms: r.end_ms, output: plan.output, accurate: $("accurate").checked });
      showError("");
      render();
      return true;
    } catch (e) {
      showError(e.message);
      return false;
    }
  }

  function setFromVideo(field) {
    const ms = Math.round($("video").currentTime * 1000);
    $(field).value = state.core.formatTimestamp(ms, "hms");
  }

  function loadVideo(url, name) {
    state.name = name;
    state.clips = [];
    render();
    return new Promise((resolve) => {
      const v = $("video");
      v.addEventListener("loadedmetadata", () => resolve(true), { once: true });
      v.addEventListener("error", () => { showError(`cannot play ${name} in this browser`); resolve(false); },
        { once: true });
      v.src = url;
    });
  }

  function seek(t) {
    return new Promise((resolve) => {
      const v = $("video");
      v.addEventListener("seeked", () => resolve(), { once: true });
      v.currentTime = t;
    });
  }

  async function fromParams() {
    const q = new URLSearchParams(location.search);
    if (q.get("video")) {
      const url = q.get("video");
      await loadVideo(url, decodeURIComponent(url.split("/").pop().split("?")[0]));
    }
    for (const pair of (q.get("marks") || "").split(";").filter(Boolean)) {
      const [a, b] = pair.split(",").map(Number);
      await seek(a); $("set-in").click();
      await seek(b); $("set-out").click();
      $("add").click();
    }
    for (const pair of (q.get("clips") || "").split(";").filter(Boolean)) {
      const [a, b] = pair.split("~");
      addClip(a, b === undefined ? "" : b);
    }
  }

  async function main() {
    try {
      state.core = await VsgClip.load();
    } catch (e) {
      showError("the clip core did not load: " + e.message);
      document.body.dataset.state = "failed";
      return;
    }
    $("file").addEventListener("change", () => {
      const f = $("file").files[0];
      if (f) loadVideo(URL.createObjectURL(f), f.name);
    });
    $("set-in").addEventListener("click", () => setFromVideo("start"));
    $("set-out").addEventListener("click", () => setFromVideo("end"));
    $("add").addEventListener("click", () => addClip($("start").value, $("end").value));
    $("download").addEventListener("click", () => {
      const blob = new Blob([JSON.stringify(batch(), null, 2) + "\n"], { type: "application/json" });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "clips.json";
      a.click();
    });
    await fromParams();
    document.body.dataset.state = "ready";
  }

  main();
})();
