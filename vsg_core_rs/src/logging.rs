//! Log line formats shared with the Python side (`vsg_core.log`).
//!
//! The formats are fixed by the migration plan's "Critical Preservation Requirements":
//! `[HH:MM:SS] ` prefix, level prefixes (`[ERROR]`, `[WARNING]`, `[INFO]`, `[DEBUG]`, `[FATAL]`,
//! `[!]`), section markers `--- Name ---`, `Progress: N%` and `[stderr/tail]` blocks.
//!
//! Rust code never writes to a terminal or file itself: it formats lines into a [`LogBuffer`]
//! while the GIL is released, and the bindings hand the lines to the Python log callback once
//! the computation is done (see `bindings::logging`).

use std::fmt;

/// Whitespace trimmed by [`section`] and [`tail_block`] (the same set as the Python side).
const WS: &[char] = &[' ', '\t', '\r', '\n', '\x0b', '\x0c'];

/// Severity prefixes in use by vsg.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    Error,
    Warning,
    Info,
    Debug,
    Fatal,
    /// `[!]`: a failed external command.
    Bang,
}

impl LogLevel {
    pub fn prefix(self) -> &'static str {
        match self {
            LogLevel::Error => "[ERROR]",
            LogLevel::Warning => "[WARNING]",
            LogLevel::Info => "[INFO]",
            LogLevel::Debug => "[DEBUG]",
            LogLevel::Fatal => "[FATAL]",
            LogLevel::Bang => "[!]",
        }
    }

    /// Parses a level name as used across the Python API (`"error"`, `"WARNING"`, `"!"`, …).
    pub fn parse(name: &str) -> Option<LogLevel> {
        match name.trim().to_ascii_lowercase().as_str() {
            "error" => Some(LogLevel::Error),
            "warning" | "warn" => Some(LogLevel::Warning),
            "info" => Some(LogLevel::Info),
            "debug" => Some(LogLevel::Debug),
            "fatal" => Some(LogLevel::Fatal),
            "!" | "bang" => Some(LogLevel::Bang),
            _ => None,
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

/// `"[ERROR] message"`.
pub fn format_log_message(level: LogLevel, msg: &str) -> String {
    format!("{} {}", level.prefix(), msg)
}

/// `"[HH:MM:SS] message"`; hours wrap at 24 like a wall clock.
pub fn timestamp_prefix(hours: u32, minutes: u32, seconds: u32, msg: &str) -> String {
    format!(
        "[{:02}:{:02}:{:02}] {}",
        hours % 24,
        minutes % 60,
        seconds % 60,
        msg
    )
}

/// `"--- Name ---"`.
pub fn section(name: &str) -> String {
    format!("--- {} ---", name.trim_matches(WS))
}

/// `"Progress: N%"`, N clamped to 0..=100 and rounded half to even.
pub fn progress_line(percent: f64) -> String {
    let p = if percent.is_nan() {
        0.0
    } else {
        percent.clamp(0.0, 100.0)
    };
    format!("Progress: {}%", p.round_ties_even() as i64)
}

/// A `[stderr/tail]` (or `[stdout/tail]`) block with the last `lines` non-empty lines of `text`.
/// Returns `None` when there is nothing to show or `lines == 0`.
pub fn tail_block(stream: &str, text: &str, lines: usize) -> Option<String> {
    if lines == 0 {
        return None;
    }
    let kept: Vec<&str> = text
        .split('\n')
        .map(|l| l.trim_end_matches(WS))
        .filter(|l| !l.is_empty())
        .collect();
    if kept.is_empty() {
        return None;
    }
    let start = kept.len().saturating_sub(lines);
    Some(format!("[{}/tail]\n{}", stream, kept[start..].join("\n")))
}

/// Lines produced by Rust code while the GIL is released, flushed to Python afterwards.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogBuffer {
    lines: Vec<String>,
}

impl LogBuffer {
    pub fn new() -> Self {
        Self::default()
    }
    /// A plain line (component-tagged lines such as `[First Stable] …` use this).
    pub fn line(&mut self, msg: impl Into<String>) {
        self.lines.push(msg.into());
    }
    pub fn level(&mut self, level: LogLevel, msg: &str) {
        self.lines.push(format_log_message(level, msg));
    }
    pub fn section(&mut self, name: &str) {
        self.lines.push(section(name));
    }
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
    pub fn take(&mut self) -> Vec<String> {
        std::mem::take(&mut self.lines)
    }
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_prefixes() {
        assert_eq!(format_log_message(LogLevel::Error, "x"), "[ERROR] x");
        assert_eq!(format_log_message(LogLevel::Warning, "x"), "[WARNING] x");
        assert_eq!(format_log_message(LogLevel::Fatal, "boom"), "[FATAL] boom");
        assert_eq!(
            format_log_message(LogLevel::Bang, "Command failed with exit code 1"),
            "[!] Command failed with exit code 1"
        );
        assert_eq!(LogLevel::parse("WARN"), Some(LogLevel::Warning));
        assert_eq!(LogLevel::parse("nope"), None);
    }

    #[test]
    fn timestamp_and_section() {
        assert_eq!(timestamp_prefix(9, 5, 3, "hi"), "[09:05:03] hi");
        assert_eq!(section(" Analysis Phase "), "--- Analysis Phase ---");
    }

    #[test]
    fn progress_is_clamped_and_half_even() {
        assert_eq!(progress_line(42.5), "Progress: 42%");
        assert_eq!(progress_line(43.5), "Progress: 44%");
        assert_eq!(progress_line(-3.0), "Progress: 0%");
        assert_eq!(progress_line(180.0), "Progress: 100%");
        assert_eq!(progress_line(f64::NAN), "Progress: 0%");
    }

    #[test]
    fn tail_keeps_last_non_empty_lines() {
        let t = "a\n\nb\nc  \nd\n";
        assert_eq!(tail_block("stderr", t, 2).unwrap(), "[stderr/tail]\nc\nd");
        assert_eq!(tail_block("stderr", t, 0), None);
        assert_eq!(tail_block("stdout", "\n\n", 5), None);
    }

    #[test]
    fn buffer_collects_in_order() {
        let mut b = LogBuffer::new();
        b.section("Analysis");
        b.level(LogLevel::Info, "x");
        b.line("[First Stable] y");
        assert_eq!(
            b.take(),
            vec!["--- Analysis ---", "[INFO] x", "[First Stable] y"]
        );
        assert!(b.is_empty());
    }
}
