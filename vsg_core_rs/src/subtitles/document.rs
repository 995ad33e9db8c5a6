//! The lossless document (reference: `vsg_core/subtitles/document.py`).
//!
//! Every line of the file is kept with its own terminator; parsing records where each changeable value
//! (event times and fields, style fields, `[Script Info]` values) came from, and writing replaces only the
//! lines whose values changed.
use super::textcodec::{self, Encoding};
use super::times::{format_ass, format_srt, format_vtt, parse_time, require_time, write_rounded};
use super::{err, is_ws, trim_ws, Result};
use crate::frames::FrameClock;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Ass,
    Ssa,
    Srt,
    Vtt,
}

impl Format {
    pub fn parse(name: &str) -> Result<Format> {
        let n = name.to_lowercase();
        match n.trim_start_matches('.') {
            "ass" => Ok(Format::Ass),
            "ssa" => Ok(Format::Ssa),
            "srt" => Ok(Format::Srt),
            "vtt" => Ok(Format::Vtt),
            other => err(format!(
                "unsupported subtitle format '{other}': use one of ass, ssa, srt, vtt"
            )),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Ass => "ass",
            Format::Ssa => "ssa",
            Format::Srt => "srt",
            Format::Vtt => "vtt",
        }
    }

    pub fn is_ass(self) -> bool {
        matches!(self, Format::Ass | Format::Ssa)
    }
}

const ASS_EVENT_FORMAT: [&str; 10] = [
    "layer", "start", "end", "style", "name", "marginl", "marginr", "marginv", "effect", "text",
];
const SSA_EVENT_FORMAT: [&str; 10] = [
    "marked", "start", "end", "style", "name", "marginl", "marginr", "marginv", "effect", "text",
];
const ASS_STYLE_FORMAT: [&str; 23] = [
    "name",
    "fontname",
    "fontsize",
    "primarycolour",
    "secondarycolour",
    "outlinecolour",
    "backcolour",
    "bold",
    "italic",
    "underline",
    "strikeout",
    "scalex",
    "scaley",
    "spacing",
    "angle",
    "borderstyle",
    "outline",
    "shadow",
    "alignment",
    "marginl",
    "marginr",
    "marginv",
    "encoding",
];
const SSA_STYLE_FORMAT: [&str; 18] = [
    "name",
    "fontname",
    "fontsize",
    "primarycolour",
    "secondarycolour",
    "tertiarycolour",
    "backcolour",
    "bold",
    "italic",
    "borderstyle",
    "outline",
    "shadow",
    "alignment",
    "marginl",
    "marginr",
    "marginv",
    "alphalevel",
    "encoding",
];
const STYLE_SECTIONS: [&str; 3] = ["v4+ styles", "v4 styles", "v4 styles+"];

#[derive(Clone, Debug)]
pub struct Line {
    pub text: String,
    pub eol: &'static str,
}

/// Where an event's values live in the file.
#[derive(Clone, Debug)]
pub enum Origin {
    /// ASS/SSA: the raw comma-separated fields after `Kind:` and the line up to them.
    Ass {
        fields: Vec<String>,
        prefix: String,
        idx: HashMap<String, usize>,
    },
    /// SRT/VTT: the timing line is `head + start_tok + mid + end_tok + tail`; `block` = every line of
    /// the cue.
    Cue {
        head: String,
        start_tok: String,
        mid: String,
        end_tok: String,
        tail: String,
        block: Vec<usize>,
    },
}

#[derive(Clone, Debug)]
pub struct Event {
    pub kind: String,
    pub line: usize,
    pub start: f64,
    pub end: f64,
    pub orig_start: f64,
    pub orig_end: f64,
    pub style: String,
    pub text: String,
    pub origin: Origin,
    pub deleted: bool,
    pub dirty: bool,
}

impl Event {
    pub fn is_comment(&self) -> bool {
        self.kind == "Comment"
    }
}

#[derive(Clone, Debug)]
pub struct Style {
    pub line: usize,
    pub prefix: String,
    pub fields: Vec<String>,
    pub names: Vec<String>,
    pub dirty: bool,
}

impl Style {
    pub fn get(&self, key: &str) -> Option<&str> {
        let i = self.names.iter().position(|n| n == key)?;
        self.fields.get(i).map(|f| trim_ws(f))
    }

    pub fn name(&self) -> String {
        self.get("name").unwrap_or("").to_string()
    }

    pub fn set(&mut self, key: &str, value: &str) -> bool {
        let Some(i) = self.names.iter().position(|n| n == key) else {
            return false;
        };
        if i >= self.fields.len() {
            return false;
        }
        if self.fields[i] != value {
            self.fields[i] = value.to_string();
            self.dirty = true;
        }
        true
    }
}

#[derive(Clone, Debug)]
pub struct InfoEntry {
    pub line: usize,
    pub key: String,
    pub head: String,
    pub value: String,
    pub dirty: bool,
}

#[derive(Clone, Debug)]
pub struct Document {
    pub fmt: Format,
    pub encoding: Encoding,
    pub bom: bool,
    pub lines: Vec<Line>,
    pub eol: &'static str,
    pub events: Vec<Event>,
    pub styles: Vec<Style>,
    pub info: Vec<InfoEntry>,
}

fn split_key(text: &str) -> Option<(&str, &str)> {
    let cut = text.find(':')?;
    Some((trim_ws(&text[..cut]), &text[cut + 1..]))
}

fn split_fields(rest: &str, n: usize) -> Vec<String> {
    if n == 0 {
        return vec![rest.to_string()];
    }
    rest.splitn(n, ',').map(str::to_string).collect()
}

fn lower_names(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_blank(s: &str) -> bool {
    trim_ws(s).is_empty()
}

/// Python's `str.capitalize()` for the ASCII field names used in messages.
fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
        None => String::new(),
    }
}

struct Timing {
    start: f64,
    end: f64,
    head: String,
    start_tok: String,
    mid: String,
    end_tok: String,
    tail: String,
}

impl Document {
    pub fn parse(data: &[u8], fmt: &str) -> Result<Document> {
        let fmt = Format::parse(fmt)?;
        let (text, encoding, bom) = textcodec::decode(data)?;
        let lines: Vec<Line> = textcodec::split_lines(&text)
            .into_iter()
            .map(|(text, eol)| Line { text, eol })
            .collect();
        let eol = textcodec::dominant_eol(lines.iter().map(|l| l.eol));
        let mut doc = Document {
            fmt,
            encoding,
            bom,
            lines,
            eol,
            events: Vec::new(),
            styles: Vec::new(),
            info: Vec::new(),
        };
        if fmt.is_ass() {
            doc.parse_ass()?;
        } else {
            doc.parse_cues()?;
        }
        Ok(doc)
    }

    fn parse_ass(&mut self) -> Result<()> {
        let mut section = String::new();
        let mut ssa = self.fmt == Format::Ssa;
        let mut style_names: Option<Vec<String>> = None;
        let mut event_names: Option<Vec<String>> = None;
        for i in 0..self.lines.len() {
            let t = self.lines[i].text.clone();
            let stripped = trim_ws(&t);
            if stripped.starts_with('[') && stripped.ends_with(']') && stripped.len() >= 2 {
                section = trim_ws(&stripped[1..stripped.len() - 1]).to_lowercase();
                if section == "v4 styles" {
                    ssa = true;
                }
                continue;
            }
            if section == "script info" {
                if stripped.starts_with(';') || stripped.starts_with("!:") {
                    continue;
                }
                let Some((key, rest)) = split_key(&t) else {
                    continue;
                };
                let value = rest.trim_start_matches(is_ws);
                if key.to_lowercase() == "scripttype" && trim_ws(value).to_lowercase() == "v4.00" {
                    ssa = true;
                }
                self.info.push(InfoEntry {
                    line: i,
                    key: key.to_string(),
                    head: t[..t.len() - value.len()].to_string(),
                    value: value.to_string(),
                    dirty: false,
                });
            } else if STYLE_SECTIONS.contains(&section.as_str()) {
                let Some((key, rest)) = split_key(&t) else {
                    continue;
                };
                if key == "Format" {
                    style_names =
                        Some(rest.split(',').map(|f| trim_ws(f).to_lowercase()).collect());
                } else if key == "Style" {
                    let names = style_names.clone().unwrap_or_else(|| {
                        lower_names(if ssa {
                            &SSA_STYLE_FORMAT
                        } else {
                            &ASS_STYLE_FORMAT
                        })
                    });
                    self.styles.push(Style {
                        line: i,
                        prefix: t[..t.len() - rest.len()].to_string(),
                        fields: split_fields(rest, names.len()),
                        names,
                        dirty: false,
                    });
                }
            } else if section == "events" {
                let Some((key, rest)) = split_key(&t) else {
                    continue;
                };
                if key == "Format" {
                    let names: Vec<String> =
                        rest.split(',').map(|f| trim_ws(f).to_lowercase()).collect();
                    for need in ["start", "end"] {
                        if !names.iter().any(|n| n == need) {
                            return err(format!(
                                "line {}: the [Events] Format line has no {} field",
                                i + 1,
                                capitalize(need)
                            ));
                        }
                    }
                    event_names = Some(names);
                } else if key == "Dialogue" || key == "Comment" {
                    let names = event_names.clone().unwrap_or_else(|| {
                        lower_names(if ssa {
                            &SSA_EVENT_FORMAT
                        } else {
                            &ASS_EVENT_FORMAT
                        })
                    });
                    let fields = split_fields(rest, names.len());
                    if fields.len() < names.len() {
                        return err(format!(
                            "line {}: {key} line has {} fields, the Format line names {}",
                            i + 1,
                            fields.len(),
                            names.len()
                        ));
                    }
                    let mut idx: HashMap<String, usize> = HashMap::new();
                    for (k, n) in names.iter().enumerate() {
                        idx.entry(n.clone()).or_insert(k);
                    }
                    let start = require_time(&fields[idx["start"]], "start", i + 1)?;
                    let end = require_time(&fields[idx["end"]], "end", i + 1)?;
                    let style = idx
                        .get("style")
                        .map(|&k| trim_ws(&fields[k]).to_string())
                        .unwrap_or_default();
                    let text = idx
                        .get("text")
                        .map(|&k| fields[k].clone())
                        .unwrap_or_default();
                    self.events.push(Event {
                        kind: key.to_string(),
                        line: i,
                        start,
                        end,
                        orig_start: start,
                        orig_end: end,
                        style,
                        text,
                        origin: Origin::Ass {
                            fields,
                            prefix: t[..t.len() - rest.len()].to_string(),
                            idx,
                        },
                        deleted: false,
                        dirty: false,
                    });
                }
            }
        }
        Ok(())
    }

    fn timing(&self, i: usize) -> Option<Timing> {
        let t = &self.lines[i].text;
        let arrow = t.find("-->")?;
        let (left, right) = (&t[..arrow], &t[arrow + 3..]);
        let start = parse_time(left)?;
        let lead = left.len() - left.trim_start_matches(is_ws).len();
        let start_tok = trim_ws(left);
        let r_lead = right.len() - right.trim_start_matches(is_ws).len();
        let rest = &right[r_lead..];
        let cut = rest.find(is_ws).unwrap_or(rest.len());
        let end_tok = &rest[..cut];
        let end = parse_time(end_tok)?;
        Some(Timing {
            start,
            end,
            head: t[..lead].to_string(),
            start_tok: start_tok.to_string(),
            mid: format!("{}-->{}", &left[lead + start_tok.len()..], &right[..r_lead]),
            end_tok: end_tok.to_string(),
            tail: rest[cut..].to_string(),
        })
    }

    fn parse_cues(&mut self) -> Result<()> {
        let n = self.lines.len();
        let vtt = self.fmt == Format::Vtt;
        if vtt && !(n > 0 && self.lines[0].text.starts_with("WEBVTT")) {
            return err("not a WebVTT file: the first line is not WEBVTT");
        }
        let mut i = usize::from(vtt);
        let mut block_start = true;
        let mut in_other_block = vtt;
        let mut prev_nonblank: Option<usize> = None;
        while i < n {
            let t = &self.lines[i].text;
            if is_blank(t) {
                block_start = true;
                in_other_block = false;
                prev_nonblank = None;
                i += 1;
                continue;
            }
            if vtt
                && block_start
                && (t.starts_with("NOTE") || t.starts_with("STYLE") || t.starts_with("REGION"))
            {
                in_other_block = true;
            }
            if in_other_block {
                block_start = false;
                i += 1;
                continue;
            }
            let Some(tm) = self.timing(i) else {
                block_start = false;
                prev_nonblank = Some(i);
                i += 1;
                continue;
            };
            let mut block: Vec<usize> = prev_nonblank.into_iter().collect();
            block.push(i);
            let mut j = i + 1;
            let mut text_lines: Vec<&str> = Vec::new();
            while j < n && !is_blank(&self.lines[j].text) {
                if self.timing(j).is_some() {
                    break;
                }
                if j + 1 < n
                    && self.timing(j + 1).is_some()
                    && ascii_digits(trim_ws(&self.lines[j].text))
                {
                    break;
                }
                text_lines.push(&self.lines[j].text);
                block.push(j);
                j += 1;
            }
            if j < n && is_blank(&self.lines[j].text) {
                block.push(j);
            }
            let text = text_lines.join("\n");
            self.events.push(Event {
                kind: "Cue".to_string(),
                line: i,
                start: tm.start,
                end: tm.end,
                orig_start: tm.start,
                orig_end: tm.end,
                style: String::new(),
                text,
                origin: Origin::Cue {
                    head: tm.head,
                    start_tok: tm.start_tok,
                    mid: tm.mid,
                    end_tok: tm.end_tok,
                    tail: tm.tail,
                    block,
                },
                deleted: false,
                dirty: false,
            });
            prev_nonblank = None;
            block_start = false;
            i = j;
        }
        Ok(())
    }

    // ------------------------------------------------------------------ writing
    pub fn to_bytes(&self, grid: Option<&dyn FrameClock>) -> Result<Vec<u8>> {
        textcodec::encode(&self.to_text(grid)?, self.encoding, self.bom)
    }

    fn times(
        &self,
        ev: &Event,
        precision: i64,
        grid: Option<&dyn FrameClock>,
    ) -> Result<(Option<i64>, Option<i64>)> {
        let g = if ev.is_comment() { None } else { grid };
        let s = if ev.start == ev.orig_start {
            None
        } else {
            Some(write_rounded(ev.start, precision, g)?)
        };
        let mut e = if ev.end == ev.orig_end {
            None
        } else {
            Some(write_rounded(ev.end, precision, g)?)
        };
        if let (Some(s), Some(ee)) = (s, e) {
            if ee < s {
                e = Some(s);
            }
        }
        Ok((s, e))
    }

    pub fn to_text(&self, grid: Option<&dyn FrameClock>) -> Result<String> {
        let mut replaced: HashMap<usize, String> = HashMap::new();
        let mut dropped: HashSet<usize> = HashSet::new();
        for ev in &self.events {
            if ev.deleted {
                match &ev.origin {
                    Origin::Ass { .. } => {
                        dropped.insert(ev.line);
                    }
                    Origin::Cue { block, .. } => dropped.extend(block.iter().copied()),
                }
                continue;
            }
            if ev.start == ev.orig_start && ev.end == ev.orig_end && !ev.dirty {
                continue;
            }
            let line = match &ev.origin {
                Origin::Ass {
                    fields,
                    prefix,
                    idx,
                } => {
                    let (s, e) = self.times(ev, 10, grid)?;
                    let mut fields = fields.clone();
                    for (key, val) in [("start", s), ("end", e)] {
                        if let Some(v) = val {
                            let k = idx[key];
                            fields[k] = replace_core(&fields[k], &format_ass(v / 10));
                        }
                    }
                    format!("{prefix}{}", fields.join(","))
                }
                Origin::Cue {
                    head,
                    start_tok,
                    mid,
                    end_tok,
                    tail,
                    ..
                } => {
                    let (s, e) = self.times(ev, 1, grid)?;
                    let (st, et) = if self.fmt == Format::Srt {
                        (
                            s.map_or(start_tok.clone(), format_srt),
                            e.map_or(end_tok.clone(), format_srt),
                        )
                    } else {
                        (
                            s.map_or(start_tok.clone(), |v| {
                                format_vtt(v, start_tok.matches(':').count() == 2)
                            }),
                            e.map_or(end_tok.clone(), |v| {
                                format_vtt(v, end_tok.matches(':').count() == 2)
                            }),
                        )
                    };
                    format!("{head}{st}{mid}{et}{tail}")
                }
            };
            replaced.insert(ev.line, line);
        }
        for st in &self.styles {
            if st.dirty {
                replaced.insert(st.line, format!("{}{}", st.prefix, st.fields.join(",")));
            }
        }
        for e in &self.info {
            if e.dirty {
                replaced.insert(e.line, format!("{}{}", e.head, e.value));
            }
        }
        let mut out = String::with_capacity(self.lines.iter().map(|l| l.text.len() + 2).sum());
        for (i, ln) in self.lines.iter().enumerate() {
            if dropped.contains(&i) {
                continue;
            }
            out.push_str(replaced.get(&i).map_or(ln.text.as_str(), |s| s.as_str()));
            out.push_str(ln.eol);
        }
        Ok(out)
    }

    // ------------------------------------------------------------------ views
    pub fn live_events_mut(&mut self) -> impl Iterator<Item = &mut Event> {
        self.events.iter_mut().filter(|e| !e.deleted)
    }

    pub fn live_events(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(|e| !e.deleted)
    }

    pub fn style_names(&self) -> Vec<String> {
        self.styles.iter().map(Style::name).collect()
    }

    pub fn info_value(&self, key: &str) -> Option<String> {
        let k = key.to_lowercase();
        self.info
            .iter()
            .find(|e| e.key.to_lowercase() == k)
            .map(|e| e.value.clone())
    }

    pub fn set_info(&mut self, key: &str, value: &str) -> bool {
        let k = key.to_lowercase();
        match self.info.iter_mut().find(|e| e.key.to_lowercase() == k) {
            Some(e) => {
                if e.value != value {
                    e.value = value.to_string();
                    e.dirty = true;
                }
                true
            }
            None => false,
        }
    }
}

/// Replace a field's value, keeping the spaces/tabs around it.
fn replace_core(field: &str, new: &str) -> String {
    let core = trim_ws(field);
    if core.is_empty() {
        return new.to_string();
    }
    let lead = field.len() - field.trim_start_matches(is_ws).len();
    format!("{}{}{}", &field[..lead], new, &field[lead + core.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASS: &str = "\u{feff}[Script Info]\r\n; comment\r\nTitle: x\r\n\r\n[V4+ Styles]\r\n\
        Format: Name, Fontname, Fontsize\r\nStyle: Default,Arial,20\r\n\r\n[Events]\r\n\
        Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\r\n\
        Dialogue: 0,0:00:01.00,0:00:02.5,Default,,0,0,0,,Hello, {\\i1}world\r\n[Custom]\r\nfoo";

    #[test]
    fn ass_round_trip_and_shift() {
        let doc = Document::parse(ASS.as_bytes(), "ass").unwrap();
        assert_eq!(doc.to_bytes(None).unwrap(), ASS.as_bytes());
        assert_eq!(doc.events[0].end, 2500.0);
        assert_eq!(doc.events[0].text, "Hello, {\\i1}world");
        let mut doc = doc;
        for e in doc.live_events_mut() {
            e.start += 1001.4;
            e.end += 1001.4;
        }
        let out = doc.to_text(None).unwrap();
        assert!(out
            .contains("Dialogue: 0,0:00:02.00,0:00:03.50,Default,,0,0,0,,Hello, {\\i1}world\r\n"));
    }

    #[test]
    fn srt_cues_and_errors() {
        let srt = "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 --> 00:00:04,000 X1:0\nWorld\n";
        let mut doc = Document::parse(srt.as_bytes(), "srt").unwrap();
        assert_eq!(doc.events.len(), 2);
        assert_eq!(doc.to_text(None).unwrap(), srt);
        doc.events[0].deleted = true;
        doc.events[1].start -= 500.0;
        assert_eq!(
            doc.to_text(None).unwrap(),
            "2\n00:00:02,500 --> 00:00:04,000 X1:0\nWorld\n"
        );
        let bad = "[Events]\nDialogue: 0,0:00:xx.00,0:00:01.00,D,,0,0,0,,t\n";
        assert_eq!(
            Document::parse(bad.as_bytes(), "ass").unwrap_err().0,
            "line 2: bad start time '0:00:xx.00'"
        );
        assert!(Document::parse(b"nope", "vtt").is_err());
    }
}
