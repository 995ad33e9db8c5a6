//! Timing and style operations (reference: `vsg_core/subtitles/ops.py`). They change values in memory;
//! rounding happens once when the document is written.
use super::document::{Document, Format, Origin};
use super::{err, is_ws, trim_ws, Result};
use std::collections::{BTreeMap, HashSet};

pub const LIMIT: f64 = 1e15;

/// One EDL segment on the source's timeline: from `start_s` on, the source's content plays `delay_ms`
/// (+ `drift_ms_per_s` per second since `start_s`) later in the output.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub start_s: f64,
    pub delay_ms: f64,
    pub drift_ms_per_s: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundaryMode {
    Start,
    Midpoint,
    Majority,
}

impl BoundaryMode {
    pub fn parse(name: &str) -> Result<BoundaryMode> {
        match name {
            "start" => Ok(BoundaryMode::Start),
            "midpoint" => Ok(BoundaryMode::Midpoint),
            "majority" => Ok(BoundaryMode::Majority),
            _ => err(format!(
                "unknown boundary mode '{name}': use one of start, midpoint, majority"
            )),
        }
    }
}

pub type Stats = BTreeMap<&'static str, i64>;

pub fn shift(doc: &mut Document, offset_ms: f64) -> Result<i64> {
    if !offset_ms.is_finite() {
        return err(format!(
            "shift must be finite, got {}",
            super::times::py_float(offset_ms)
        ));
    }
    let mut n = 0;
    for ev in doc.live_events_mut() {
        ev.start += offset_ms;
        ev.end += offset_ms;
        n += 1;
    }
    Ok(n)
}

pub fn scale(doc: &mut Document, delay_at_0_ms: f64, drift_ms_per_s: f64) -> Result<i64> {
    let factor = 1.0 - drift_ms_per_s / 1000.0;
    if !(delay_at_0_ms.is_finite() && factor.is_finite() && factor > 0.0) {
        return err(format!(
            "bad tempo: delay {} ms, drift {} ms/s",
            super::times::py_float(delay_at_0_ms),
            super::times::py_float(drift_ms_per_s)
        ));
    }
    let mut n = 0;
    for ev in doc.live_events_mut() {
        ev.start = (ev.start + delay_at_0_ms) / factor;
        ev.end = (ev.end + delay_at_0_ms) / factor;
        n += 1;
    }
    Ok(n)
}

fn seg_index(segs: &[Segment], t_ms: f64) -> usize {
    let mut k = 0;
    for (i, s) in segs.iter().enumerate() {
        if s.start_s * 1000.0 <= t_ms {
            k = i;
        } else {
            break;
        }
    }
    k
}

fn offset(seg: &Segment, t_ms: f64) -> f64 {
    seg.delay_ms + seg.drift_ms_per_s * (t_ms / 1000.0 - seg.start_s)
}

fn majority(segs: &[Segment], start: f64, end: f64) -> usize {
    if end.is_nan() || start.is_nan() || end <= start {
        return seg_index(segs, start);
    }
    let (mut best_k, mut best_len) = (0usize, f64::NEG_INFINITY);
    for k in 0..segs.len() {
        let lo = if k > 0 {
            segs[k].start_s * 1000.0
        } else {
            f64::NEG_INFINITY
        };
        let hi = if k + 1 < segs.len() {
            segs[k + 1].start_s * 1000.0
        } else {
            f64::INFINITY
        };
        let length = py_min(end, hi) - py_max(start, lo);
        if length > best_len {
            best_k = k;
            best_len = length;
        }
    }
    best_k
}

/// Python's `min(a, b)` (returns `a` unless `b < a`).
fn py_min(a: f64, b: f64) -> f64 {
    if b < a {
        b
    } else {
        a
    }
}

/// Python's `max(a, b)` (returns `a` unless `b > a`).
fn py_max(a: f64, b: f64) -> f64 {
    if b > a {
        b
    } else {
        a
    }
}

/// Move every event by the delay of its segment; drop or clamp events in content the output does not
/// keep (see the reference for the rules).
pub fn apply_edl(doc: &mut Document, segments: &[Segment], mode: BoundaryMode) -> Result<Stats> {
    if segments.is_empty() {
        return err("the EDL has no segments");
    }
    if segments
        .iter()
        .any(|s| !(s.start_s.is_finite() && s.delay_ms.is_finite() && s.drift_ms_per_s.is_finite()))
    {
        return err("the EDL has a segment with a non-finite value");
    }
    let mut segs = segments.to_vec();
    segs.sort_by(|a, b| {
        a.start_s
            .partial_cmp(&b.start_s)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut removed: Vec<(f64, f64)> = vec![(0.0, 0.0)];
    for k in 1..segs.len() {
        let b = segs[k].start_s * 1000.0;
        let cut = offset(&segs[k - 1], b) - segs[k].delay_ms;
        removed.push(if cut > 0.0 { (b, b + cut) } else { (b, b) });
    }
    let (mut moved, mut dropped, mut clamped, mut spanning) = (0, 0, 0, 0);
    for ev in doc.live_events_mut() {
        let k = match mode {
            BoundaryMode::Start => seg_index(&segs, ev.start),
            BoundaryMode::Midpoint => seg_index(&segs, (ev.start + ev.end) / 2.0),
            BoundaryMode::Majority => majority(&segs, ev.start, ev.end),
        };
        if segs[1..].iter().any(|s| {
            let b = s.start_s * 1000.0;
            ev.start < b && b < ev.end
        }) {
            spanning += 1;
        }
        let (r0, r1) = removed[k];
        if r1 > r0 && ev.start >= r0 && ev.start < r1 {
            if ev.end <= r1 {
                ev.deleted = true;
                dropped += 1;
                continue;
            }
            ev.start = r1;
            clamped += 1;
        }
        let seg = segs[k];
        ev.start += offset(&seg, ev.start);
        ev.end += offset(&seg, ev.end);
        moved += 1;
    }
    Ok(BTreeMap::from([
        ("moved", moved),
        ("dropped", dropped),
        ("clamped", clamped),
        ("spanning", spanning),
    ]))
}

/// Characters a viewer reads: `{…}` blocks and `\N \n \h` removed, whitespace not counted.
pub fn plain_length(text: &str) -> usize {
    let c: Vec<char> = text.chars().collect();
    let (mut i, mut out) = (0usize, 0usize);
    while i < c.len() {
        if c[i] == '{' {
            if let Some(j) = c[i..].iter().position(|&x| x == '}') {
                i += j + 1;
                continue;
            }
        }
        if c[i] == '\\' && i + 1 < c.len() && matches!(c[i + 1], 'N' | 'n' | 'h') {
            i += 2;
            continue;
        }
        if !matches!(c[i], ' ' | '\t' | '\r' | '\n' | '\u{3000}') {
            out += 1;
        }
        i += 1;
    }
    out
}

pub struct TimingFix {
    pub overlaps: bool,
    pub short: bool,
    pub long: bool,
    pub min_gap_ms: f64,
    pub min_duration_ms: f64,
    pub max_cps: f64,
}

pub fn fix_timing(doc: &mut Document, p: &TimingFix) -> Result<Stats> {
    if !(p.max_cps > 0.0 && p.min_duration_ms >= 0.0 && p.min_gap_ms >= 0.0) {
        return err("timing fixes need max_cps > 0, min_duration_ms >= 0 and min_gap_ms >= 0");
    }
    let mut order: Vec<usize> = (0..doc.events.len())
        .filter(|&i| !doc.events[i].deleted && !doc.events[i].is_comment())
        .collect();
    if order
        .iter()
        .any(|&i| !(doc.events[i].start.is_finite() && doc.events[i].end.is_finite()))
    {
        return err("timing fixes need finite event times");
    }
    order.sort_by(|&a, &b| {
        doc.events[a]
            .start
            .partial_cmp(&doc.events[b].start)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let (mut n_long, mut n_over, mut n_short) = (0, 0, 0);
    let ev = &mut doc.events;
    if p.long {
        for &i in &order {
            let n = plain_length(&ev[i].text);
            if n > 0 {
                let ideal = py_max(n as f64 / p.max_cps * 1000.0 * 1.1, p.min_duration_ms);
                if ev[i].end - ev[i].start > ideal + 100.0 {
                    ev[i].end = ev[i].start + ideal;
                    n_long += 1;
                }
            }
        }
    }
    if p.overlaps {
        for w in order.windows(2) {
            let (a, b) = (w[0], w[1]);
            if ev[a].end > ev[b].start {
                let new = ev[b].start - p.min_gap_ms;
                if new > ev[a].start + 100.0 {
                    ev[a].end = new;
                    n_over += 1;
                }
            }
        }
    }
    if p.short {
        for (k, &i) in order.iter().enumerate() {
            let d = ev[i].end - ev[i].start;
            if 0.0 < d && d < p.min_duration_ms {
                let mut new = ev[i].start + p.min_duration_ms;
                if k + 1 < order.len() {
                    new = py_min(new, ev[order[k + 1]].start - 1.0);
                }
                if new > ev[i].end {
                    ev[i].end = new;
                    n_short += 1;
                }
            }
        }
    }
    Ok(BTreeMap::from([
        ("long", n_long),
        ("overlaps", n_over),
        ("short", n_short),
    ]))
}

fn require_ass(doc: &Document, what: &str) -> Result<()> {
    if !doc.fmt.is_ass() {
        return err(format!(
            "{what} needs an ASS/SSA file, this one is {}",
            doc.fmt.name().to_uppercase()
        ));
    }
    Ok(())
}

pub fn filter_styles(doc: &mut Document, styles: &[String], mode: &str) -> Result<Stats> {
    require_ass(doc, "a style filter")?;
    if mode != "include" && mode != "exclude" {
        return err(format!(
            "unknown style filter mode '{mode}': use include or exclude"
        ));
    }
    let wanted: HashSet<&str> = styles.iter().map(|s| trim_ws(s)).collect();
    let include = mode == "include";
    let (mut kept, mut removed) = (0, 0);
    for e in doc.live_events_mut() {
        if wanted.contains(e.style.as_str()) != include {
            e.deleted = true;
            removed += 1;
        } else {
            kept += 1;
        }
    }
    Ok(BTreeMap::from([("kept", kept), ("removed", removed)]))
}

/// A plain decimal number (`[+-]digits[.digits][e[+-]digits]`, spaces/tabs around ignored).
pub fn num(text: &str) -> Option<f64> {
    let t = trim_ws(text);
    let b = t.as_bytes();
    let n = b.len();
    let mut i = 0;
    if i < n && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut digits = 0;
    while i < n && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < n && b[i] == b'.' {
        i += 1;
        while i < n && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if i < n && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < n && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let mut exp = 0;
        while i < n && b[i].is_ascii_digit() {
            i += 1;
            exp += 1;
        }
        if exp == 0 {
            return None;
        }
    }
    if i != n {
        return None;
    }
    let v: f64 = t.parse().ok()?;
    v.is_finite().then_some(v)
}

/// At most 3 decimals, trailing zeros and dot removed.
pub fn fmt_num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    }
}

pub fn scaled_text(text: &str, mul: f64, add: f64) -> String {
    match num(text) {
        None => text.to_string(),
        Some(v) => {
            let r = v * mul + add;
            if r.abs() < LIMIT {
                fmt_num(r)
            } else {
                text.to_string()
            }
        }
    }
}

pub fn multiply_font_size(doc: &mut Document, factor: f64) -> Result<i64> {
    require_ass(doc, "a font size multiplier")?;
    if !(factor.is_finite() && factor > 0.0) {
        return err(format!(
            "font size multiplier must be > 0, got {}",
            super::times::py_float(factor)
        ));
    }
    let mut n = 0;
    for st in doc.styles.iter_mut() {
        if let Some(v) = st.get("fontsize").and_then(num) {
            let r = v * factor;
            if r.abs() < LIMIT && st.set("fontsize", &(r.round_ties_even() as i64).to_string()) {
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Set fields of the named styles (in the given order); returns the names not found.
pub fn patch_styles(
    doc: &mut Document,
    patch: &[(String, Vec<(String, String)>)],
) -> Result<Vec<String>> {
    require_ass(doc, "a style patch")?;
    let mut missing = Vec::new();
    for (name, fields) in patch {
        let mut found = false;
        for st in doc.styles.iter_mut() {
            if &st.name() == name {
                found = true;
                for (key, value) in fields {
                    if !st.set(&key.to_lowercase(), value) {
                        return err(format!("style '{name}' has no field '{key}'"));
                    }
                }
            }
        }
        if !found {
            missing.push(name.clone());
        }
    }
    Ok(missing)
}

const UNIFORM_TAGS: [&str; 9] = [
    "fs", "bord", "xbord", "ybord", "shad", "xshad", "yshad", "blur", "fsp",
];

fn scale_tag_args(name: &str, args: Vec<String>, s: f64, ox: f64, oy: f64) -> Vec<String> {
    let sc = |a: &str, mul: f64, add: f64| scaled_text(a, mul, add);
    match (name, args.len()) {
        ("pos" | "org", 2) => vec![sc(&args[0], s, ox), sc(&args[1], s, oy)],
        ("move", 4 | 6) | ("clip" | "iclip", 4) => {
            let mut out = vec![
                sc(&args[0], s, ox),
                sc(&args[1], s, oy),
                sc(&args[2], s, ox),
                sc(&args[3], s, oy),
            ];
            out.extend(args[4..].iter().cloned());
            out
        }
        _ => args,
    }
}

/// Scale the geometry of override tags in `{…}` blocks (also inside `\t(…)`).
pub fn scale_tags(text: &str, s: f64, ox: f64, oy: f64) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            None => {
                out.push_str(&rest[i..]);
                return out;
            }
            Some(j) => {
                out.push('{');
                out.push_str(&scale_block(&rest[i + 1..i + j], s, ox, oy));
                out.push('}');
                rest = &rest[i + j + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn scale_block(block: &str, s: f64, ox: f64, oy: f64) -> String {
    let c: Vec<char> = block.chars().collect();
    let n = c.len();
    let mut out = String::with_capacity(block.len());
    let mut i = 0;
    while i < n {
        if c[i] != '\\' {
            out.push(c[i]);
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < n && c[j].is_ascii_alphabetic() {
            j += 1;
        }
        let name: String = c[i + 1..j].iter().collect();
        out.extend(&c[i..j]);
        i = j;
        if i < n && c[i] == '(' {
            let (mut depth, mut k) = (0i64, i);
            while k < n {
                if c[k] == '(' {
                    depth += 1;
                } else if c[k] == ')' {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                k += 1;
            }
            let inner: String = c[i + 1..k.min(n)].iter().collect();
            out.push('(');
            if name == "t" {
                out.push_str(&scale_block(&inner, s, ox, oy));
            } else {
                let args: Vec<String> = inner.split(',').map(str::to_string).collect();
                out.push_str(&scale_tag_args(&name, args, s, ox, oy).join(","));
            }
            if k < n {
                out.push(')');
            }
            i = k + 1;
        } else if UNIFORM_TAGS.contains(&name.as_str()) {
            let mut k = i;
            if k < n && (c[k] == '+' || c[k] == '-') {
                k += 1;
            }
            while k < n && (c[k].is_ascii_digit() || c[k] == '.') {
                k += 1;
            }
            let tok: String = c[i..k].iter().collect();
            out.push_str(&scaled_text(&tok, s, 0.0));
            i = k;
        }
    }
    out
}

/// Rescale to a new PlayRes keeping the aspect (uniform factor, centred). None when PlayRes is missing,
/// 0 or already equal.
pub fn rescale(
    doc: &mut Document,
    width: i64,
    height: i64,
) -> Result<Option<BTreeMap<&'static str, f64>>> {
    require_ass(doc, "rescaling")?;
    if width <= 0 || height <= 0 {
        return err(format!(
            "target size must be positive, got {width}x{height}"
        ));
    }
    let ws = doc.info_value("PlayResX").as_deref().and_then(num);
    let hs = doc.info_value("PlayResY").as_deref().and_then(num);
    let (Some(ws), Some(hs)) = (ws, hs) else {
        return Ok(None);
    };
    let (w, h) = (width as f64, height as f64);
    if ws <= 0.0 || hs <= 0.0 || (ws == w && hs == h) {
        return Ok(None);
    }
    let s = py_min(w / ws, h / hs);
    let ox = (w - (ws * s + 0.5).floor()) / 2.0;
    let oy = (h - (hs * s + 0.5).floor()) / 2.0;
    doc.set_info("PlayResX", &width.to_string());
    doc.set_info("PlayResY", &height.to_string());
    for st in doc.styles.iter_mut() {
        for key in ["fontsize", "outline", "shadow", "spacing"] {
            if let Some(old) = st.get(key).map(str::to_string) {
                if num(&old).is_some() {
                    st.set(key, &scaled_text(&old, s, 0.0));
                }
            }
        }
        for key in ["marginl", "marginr", "marginv"] {
            if let Some(v) = st.get(key).and_then(num) {
                if (v * s).abs() < LIMIT {
                    st.set(key, &((v * s + 0.5).floor() as i64).to_string());
                }
            }
        }
    }
    for e in doc.live_events_mut() {
        if let Origin::Ass { fields, idx, .. } = &mut e.origin {
            if let Some(&k) = idx.get("text") {
                let new = scale_tags(&fields[k], s, ox, oy);
                if new != fields[k] {
                    fields[k] = new.clone();
                    e.text = new;
                    e.dirty = true;
                }
            }
        }
    }
    Ok(Some(BTreeMap::from([
        ("scale", s),
        ("offset_x", ox),
        ("offset_y", oy),
    ])))
}

fn font_colour(tag: &str) -> Option<String> {
    let k = tag.find("color")?;
    let rest = tag[k + 5..].trim_start_matches(is_ws);
    let rest = rest.strip_prefix('=')?;
    let rest = trim_ws(rest).trim_matches(|c| c == '"' || c == '\'');
    let rest = rest.strip_prefix('#').unwrap_or(rest);
    let hex: String = rest.chars().take(6).collect();
    if hex.chars().count() != 6 || !hex.chars().all(|c| "0123456789abcdef".contains(c)) {
        return None;
    }
    Some(format!("{}{}{}", &hex[4..6], &hex[2..4], &hex[0..2]).to_uppercase())
}

fn srt_text_to_ass(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < c.len() {
        if c[i] == '<' {
            if let Some(j) = c[i..].iter().position(|&x| x == '>') {
                let raw: String = c[i + 1..i + j].iter().collect();
                let tag = trim_ws(&raw).to_lowercase();
                let simple = match tag.as_str() {
                    "i" => Some("\\i1"),
                    "/i" => Some("\\i0"),
                    "b" => Some("\\b1"),
                    "/b" => Some("\\b0"),
                    "u" => Some("\\u1"),
                    "/u" => Some("\\u0"),
                    "s" => Some("\\s1"),
                    "/s" => Some("\\s0"),
                    "/font" => Some("\\c"),
                    _ => None,
                };
                if let Some(t) = simple {
                    out.push('{');
                    out.push_str(t);
                    out.push('}');
                } else if tag.starts_with("font") {
                    if let Some(col) = font_colour(&tag) {
                        out.push_str(&format!("{{\\c&H{col}&}}"));
                    }
                }
                i += j + 1;
                continue;
            }
        }
        match c[i] {
            '\n' => out.push_str("\\N"),
            '\r' => {}
            ch => out.push(ch),
        }
        i += 1;
    }
    out
}

pub const ASS_HEADER: &str = "[Script Info]\n; Script converted by vsg\nScriptType: v4.00+\n\
PlayResX: 384\nPlayResY: 288\nScaledBorderAndShadow: yes\n\n[V4+ Styles]\n\
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, \
Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, \
MarginR, MarginV, Encoding\n\
Style: Default,Arial,16,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1\n\
\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n";

/// A new ASS document with one Default-style dialogue per cue; exact times carry over.
pub fn srt_to_ass(doc: &Document) -> Result<Document> {
    if doc.fmt.is_ass() {
        return err(format!(
            "conversion to ASS needs an SRT or WebVTT file, this one is {}",
            doc.fmt.name().to_uppercase()
        ));
    }
    let evs: Vec<_> = doc.live_events().collect();
    let mut body = String::from(ASS_HEADER);
    for e in &evs {
        body.push_str("Dialogue: 0,0:00:00.00,0:00:00.00,Default,,0,0,0,,");
        body.push_str(&srt_text_to_ass(&e.text));
        body.push('\n');
    }
    let text = if doc.eol == "\n" {
        body
    } else {
        body.replace('\n', doc.eol)
    };
    let mut out = Document::parse(text.as_bytes(), "ass")?;
    debug_assert_eq!(out.fmt, Format::Ass);
    for (new, old) in out.events.iter_mut().zip(evs) {
        new.start = old.start;
        new.end = old.end;
        new.orig_start = f64::NAN;
        new.orig_end = f64::NAN;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ass(events: &str) -> Document {
        let text = format!(
            "[Script Info]\nPlayResX: 640\nPlayResY: 360\n\n[V4+ Styles]\n\
             Format: Name, Fontname, Fontsize, Outline, MarginL\nStyle: Default,Arial,20,2,10\n\
             Style: Sign,Arial,30,0,0\n\n[Events]\n\
             Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n{events}"
        );
        Document::parse(text.as_bytes(), "ass").unwrap()
    }

    #[test]
    fn edl_moves_drops_and_clamps() {
        let mut d = ass("Dialogue: 0,0:00:10.00,0:00:11.00,Default,,0,0,0,,a\n\
                         Dialogue: 0,0:01:40.10,0:01:40.50,Default,,0,0,0,,in removed part\n\
                         Dialogue: 0,0:01:40.50,0:01:42.00,Default,,0,0,0,,clamped\n\
                         Dialogue: 0,0:02:00.00,0:02:01.00,Default,,0,0,0,,b\n");
        let segs = [
            Segment {
                start_s: 0.0,
                delay_ms: 500.0,
                drift_ms_per_s: 0.0,
            },
            Segment {
                start_s: 100.0,
                delay_ms: -500.0,
                drift_ms_per_s: 0.0,
            },
        ];
        let st = apply_edl(&mut d, &segs, BoundaryMode::Start).unwrap();
        assert_eq!((st["moved"], st["dropped"], st["clamped"]), (3, 1, 1));
        assert_eq!(d.events[0].start, 10500.0);
        assert!(d.events[1].deleted);
        assert_eq!(d.events[2].start, 100500.0);
        assert_eq!(d.events[3].start, 119500.0);
    }

    #[test]
    fn styles_and_rescale() {
        let mut d = ass(
            "Dialogue: 0,0:00:01.00,0:00:02.00,Sign,,0,0,0,,{\\pos(320,180)\\fs40\\t(\\bord2)}x\n",
        );
        assert_eq!(multiply_font_size(&mut d, 1.5).unwrap(), 2);
        let r = rescale(&mut d, 1920, 1080).unwrap().unwrap();
        assert_eq!(r["scale"], 3.0);
        let out = d.to_text(None).unwrap();
        assert!(out.contains("Style: Default,Arial,90,6,30\n"), "{out}");
        assert!(
            out.contains("{\\pos(960,540)\\fs120\\t(\\bord6)}x"),
            "{out}"
        );
        assert!(out.contains("PlayResX: 1920\n"));
        let st = filter_styles(&mut d, &["Sign".to_string()], "exclude").unwrap();
        assert_eq!(st["removed"], 1);
    }

    #[test]
    fn numbers_and_lengths() {
        assert_eq!(num(" 12.5 "), Some(12.5));
        assert_eq!(num("1_0"), None);
        assert_eq!(num("nan"), None);
        assert_eq!(fmt_num(2.0), "2");
        assert_eq!(fmt_num(-0.0001), "0");
        assert_eq!(plain_length("{\\i1}ab c\\Nd"), 4);
    }
}
