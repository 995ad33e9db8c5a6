//! WASM build of the clip core (timestamps, ranges, plans, progress) with a plain C ABI.
//!
//! Compiled by `web/build_wasm.sh` with a rustc that has the wasm32-unknown-unknown standard library
//! (Debian's rustc 1.63 + libstd-rust-dev-wasm32): no wasm-bindgen, no crates. The clip sources are the
//! crate's own (`vsg_core_rs/src/clip/`), included by path, so native and WASM run the same code.
//!
//! Calling convention (see `web/vsg_clip.js`): the caller writes UTF-8 arguments into memory obtained
//! with `vsg_alloc`, fields separated by U+001F (an optional field is "" when absent, "=" + text when
//! present; a list joins its items with U+001E), calls a `vsg_clip_*` function, and reads the JSON answer
//! at `vsg_result_ptr()` / `vsg_result_len()`: `{"ok":true,…}` or `{"ok":false,"error":"…"}`.
#![allow(dead_code)]

#[path = "../../vsg_core_rs/src/clip/mod.rs"]
mod clip;

use clip::{ClipMode, ClipRange, ClipRequest, EncodeSettings, TimeForm};
use std::cell::RefCell;

thread_local! {
    static RESULT: RefCell<Vec<u8>> = RefCell::new(Vec::new());
}

#[no_mangle]
pub extern "C" fn vsg_alloc(len: usize) -> *mut u8 {
    let mut v: Vec<u8> = Vec::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// # Safety
/// `ptr`/`len` must come from one `vsg_alloc(len)` call.
#[no_mangle]
pub unsafe extern "C" fn vsg_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
}

#[no_mangle]
pub extern "C" fn vsg_result_ptr() -> *const u8 {
    RESULT.with(|r| r.borrow().as_ptr())
}

#[no_mangle]
pub extern "C" fn vsg_result_len() -> usize {
    RESULT.with(|r| r.borrow().len())
}

fn set_result(s: String) {
    RESULT.with(|r| *r.borrow_mut() = s.into_bytes());
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn err(msg: &str) -> String {
    format!("{{\"ok\":false,\"error\":{}}}", json_str(msg))
}

/// The argument fields of one call, or an error answer.
unsafe fn fields(ptr: *const u8, len: usize, want: usize) -> Result<Vec<String>, String> {
    let bytes = std::slice::from_raw_parts(ptr, len);
    let text = std::str::from_utf8(bytes).map_err(|_| err("arguments are not UTF-8"))?;
    let parts: Vec<String> = text.split('\u{1f}').map(|s| s.to_string()).collect();
    if parts.len() != want {
        return Err(err(&format!(
            "expected {} argument fields, got {}",
            want,
            parts.len()
        )));
    }
    Ok(parts)
}

fn optional(s: &str) -> Option<&str> {
    s.strip_prefix('=')
}

fn number(s: &str, what: &str) -> Result<u64, String> {
    s.parse::<u64>()
        .map_err(|_| err(&format!("{} must be a whole number, got '{}'", what, s)))
}

fn answer(f: impl FnOnce() -> Result<String, String>) {
    set_result(match f() {
        Ok(s) => s,
        Err(e) => e,
    });
}

/// Fields: text.
///
/// # Safety
/// `ptr`/`len` must describe readable memory.
#[no_mangle]
pub unsafe extern "C" fn vsg_clip_parse_timestamp(ptr: *const u8, len: usize) {
    answer(|| {
        let f = fields(ptr, len, 1)?;
        let t = clip::parse_timestamp(&f[0]).map_err(|e| err(&e.message))?;
        Ok(format!(
            "{{\"ok\":true,\"ms\":{},\"form\":\"{}\"}}",
            t.ms,
            t.form.name()
        ))
    })
}

/// Fields: ms, form.
///
/// # Safety
/// `ptr`/`len` must describe readable memory.
#[no_mangle]
pub unsafe extern "C" fn vsg_clip_format_timestamp(ptr: *const u8, len: usize) {
    answer(|| {
        let f = fields(ptr, len, 2)?;
        let ms = number(&f[0], "ms")?;
        let form = TimeForm::from_name(&f[1]).ok_or_else(|| {
            err(&format!(
                "unknown timestamp form '{}'; use one of hms, ms, seconds, human, iso",
                f[1]
            ))
        })?;
        Ok(format!(
            "{{\"ok\":true,\"text\":{}}}",
            json_str(&clip::format_timestamp(ms, form))
        ))
    })
}

/// Fields: start, end?, duration?, media_duration_ms?.
///
/// # Safety
/// `ptr`/`len` must describe readable memory.
#[no_mangle]
pub unsafe extern "C" fn vsg_clip_resolve_range(ptr: *const u8, len: usize) {
    answer(|| {
        let f = fields(ptr, len, 4)?;
        let media = match optional(&f[3]) {
            Some(v) => Some(number(v, "media_duration_ms")?),
            None => None,
        };
        let r = clip::resolve_range(&f[0], optional(&f[1]), optional(&f[2]), media)
            .map_err(|e| err(&e.message))?;
        Ok(format!(
            "{{\"ok\":true,\"start_ms\":{},\"end_ms\":{},\"duration_ms\":{}}}",
            r.start_ms,
            r.end_ms,
            r.duration_ms()
        ))
    })
}

/// Fields: input, output?, output_dir, start_ms, end_ms, mode, video_codec, audio_codec, preset, crf,
/// max_file_size, taken (items joined by U+001E).
///
/// # Safety
/// `ptr`/`len` must describe readable memory.
#[no_mangle]
pub unsafe extern "C" fn vsg_clip_plan(ptr: *const u8, len: usize) {
    answer(|| {
        let f = fields(ptr, len, 12)?;
        let mode = ClipMode::from_name(&f[5])
            .ok_or_else(|| err(&format!("unknown clip mode '{}'; use copy or accurate", f[5])))?;
        let crf = number(&f[9], "crf")?;
        let taken: Vec<String> = if f[11].is_empty() {
            Vec::new()
        } else {
            f[11].split('\u{1e}').map(|s| s.to_string()).collect()
        };
        let req = ClipRequest {
            input: f[0].clone(),
            output: optional(&f[1]).map(|s| s.to_string()),
            output_dir: f[2].clone(),
            range: ClipRange {
                start_ms: number(&f[3], "start_ms")?,
                end_ms: number(&f[4], "end_ms")?,
            },
            mode,
            settings: EncodeSettings {
                video_codec: f[6].clone(),
                audio_codec: f[7].clone(),
                preset: f[8].clone(),
                crf: if crf > u64::from(u32::MAX) {
                    u32::MAX
                } else {
                    crf as u32
                },
                max_file_size: number(&f[10], "max_file_size")?,
            },
            taken,
        };
        let p = clip::plan_clip(&req).map_err(|e| err(&e.message))?;
        let args: Vec<String> = p.args.iter().map(|a| json_str(a)).collect();
        Ok(format!(
            "{{\"ok\":true,\"output\":{},\"args\":[{}],\"start_ms\":{},\"end_ms\":{},\"mode\":\"{}\"}}",
            json_str(&p.output),
            args.join(","),
            p.start_ms,
            p.end_ms,
            p.mode.name()
        ))
    })
}

/// Fields: text, duration_ms.
///
/// # Safety
/// `ptr`/`len` must describe readable memory.
#[no_mangle]
pub unsafe extern "C" fn vsg_clip_progress_fraction(ptr: *const u8, len: usize) {
    answer(|| {
        let f = fields(ptr, len, 2)?;
        let d = number(&f[1], "duration_ms")?;
        Ok(match clip::progress_fraction(&f[0], d) {
            Some(x) => format!("{{\"ok\":true,\"fraction\":{:?}}}", x),
            None => "{\"ok\":true,\"fraction\":null}".to_string(),
        })
    })
}
