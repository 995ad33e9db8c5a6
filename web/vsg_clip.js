// JS glue for vsg_clip.wasm (the vsg clip core built by build_wasm.sh). Works as a classic browser script
// (global VsgClip) and as a CommonJS module in Node. All functions return the same values as the native
// vsg_core_rs.clip_* functions; errors come back as thrown Error objects carrying the core's message.
(function (root) {
  "use strict";
  const FS = "\u001f"; // field separator
  const LS = "\u001e"; // list item separator

  function opt(v) { return v === null || v === undefined ? "" : "=" + String(v); }

  class VsgClip {
    constructor(instance) {
      this.x = instance.exports;
      this.enc = new TextEncoder();
      this.dec = new TextDecoder();
    }

    // source: ArrayBuffer / Uint8Array with the module's bytes, or nothing to use the embedded base64.
    static async load(source) {
      let bytes = source;
      if (bytes === undefined) {
        const b64 = root.VSG_CLIP_WASM_B64;
        if (!b64) throw new Error("vsg_clip_wasm.js is not loaded; run web/build_wasm.sh");
        const bin = atob(b64);
        bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      }
      const { instance } = await WebAssembly.instantiate(bytes, {});
      return new VsgClip(instance);
    }

    call(name, fields) {
      const data = this.enc.encode(fields.join(FS));
      const len = data.length;
      const ptr = this.x.vsg_alloc(len);
      new Uint8Array(this.x.memory.buffer, ptr, len).set(data);
      this.x[name](ptr, len);
      this.x.vsg_free(ptr, len);
      const out = new Uint8Array(this.x.memory.buffer, this.x.vsg_result_ptr(), this.x.vsg_result_len());
      const answer = JSON.parse(this.dec.decode(out.slice()));
      if (!answer.ok) throw new Error(answer.error);
      delete answer.ok;
      return answer;
    }

    parseTimestamp(text) { return this.call("vsg_clip_parse_timestamp", [text]); }
    formatTimestamp(ms, form) { return this.call("vsg_clip_format_timestamp", [String(ms), form]).text; }
    resolveRange(start, end, duration, mediaDurationMs) {
      return this.call("vsg_clip_resolve_range", [start, opt(end), opt(duration), opt(mediaDurationMs)]);
    }
    // p: {input, output?, output_dir, start_ms, end_ms, mode, video_codec, audio_codec, preset, crf,
    //     max_file_size, taken: [names]}
    plan(p) {
      return this.call("vsg_clip_plan", [p.input, opt(p.output), p.output_dir, String(p.start_ms),
        String(p.end_ms), p.mode, p.video_codec, p.audio_codec, p.preset, String(p.crf),
        String(p.max_file_size), (p.taken || []).join(LS)]);
    }
    progressFraction(text, durationMs) {
      return this.call("vsg_clip_progress_fraction", [text, String(durationMs)]).fraction;
    }
  }

  root.VsgClip = VsgClip;
  if (typeof module !== "undefined" && module.exports) module.exports = { VsgClip };
})(typeof globalThis !== "undefined" ? globalThis : this);
