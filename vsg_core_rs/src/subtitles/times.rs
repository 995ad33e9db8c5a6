//! Time stamps: exact parsing to float ms and the single rounding point on write (reference:
//! `vsg_core/subtitles/times.py`).
use super::{err, trim_ws, Result};
#[cfg(test)]
use crate::frames::FrameGrid;
use crate::frames::{FrameClock, MAX_GRID_MS};

const MAX_DIGITS: usize = 9;
pub const MAX_WRITE_MS: f64 = 1e16;

fn digits(p: &str) -> bool {
    (1..=MAX_DIGITS).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
}

/// `[[H:]M:]S[.frac|,frac]` → ms, or None when it is not a time.
pub fn parse_time(token: &str) -> Option<f64> {
    let s = trim_ws(token);
    let (head, frac) = match s.find(['.', ',']) {
        Some(cut) => (&s[..cut], Some(&s[cut + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = head.split(':').collect();
    if parts.len() > 3 || (parts.len() == 1 && frac.is_none()) {
        return None;
    }
    if !parts.iter().all(|p| digits(p)) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    let mut nums = [0i64; 3];
    let off = 3 - parts.len();
    for (k, p) in parts.iter().enumerate() {
        nums[off + k] = p.parse().ok()?;
    }
    let whole = (nums[0] * 3600 + nums[1] * 60 + nums[2]) * 1000;
    match frac {
        None => Some(whole as f64),
        Some(f) => {
            let v: i64 = f.parse().ok()?;
            Some(whole as f64 + (v * 1000) as f64 / 10f64.powi(f.len() as i32))
        }
    }
}

pub fn require_time(token: &str, what: &str, line_no: usize) -> Result<f64> {
    match parse_time(token) {
        Some(t) => Ok(t),
        None => err(format!(
            "line {line_no}: bad {what} time '{}'",
            trim_ws(token)
        )),
    }
}

/// Nearest multiple of `precision` ms, half up; negative → 0.
pub fn round_plain(t: f64, precision: i64) -> i64 {
    if t.is_nan() || t <= 0.0 {
        return 0;
    }
    (t / precision as f64 + 0.5).floor() as i64 * precision
}

/// A multiple of `precision` on the same frame as `t` (see the reference for the rule).
pub fn round_to_grid(t: f64, precision: i64, grid: &dyn FrameClock) -> Result<i64> {
    if t.is_nan() || t <= 0.0 {
        return Ok(0);
    }
    if t > MAX_GRID_MS {
        return Ok(round_plain(t, precision));
    }
    let g = |x: f64| grid.frame_of(x).map_err(super::SubtitleError);
    let frame = g(t)?;
    let p = precision as f64;
    let lo = (t / p).floor() as i64 * precision;
    if g(lo as f64)? == frame {
        return Ok(lo);
    }
    let hi = (t / p).ceil() as i64 * precision;
    if g(hi as f64)? == frame {
        return Ok(hi);
    }
    let fm = grid.frame_ms(frame).map_err(super::SubtitleError)?;
    Ok(fm.div_euclid(precision) * precision)
}

pub fn write_rounded(t: f64, precision: i64, grid: Option<&dyn FrameClock>) -> Result<i64> {
    if !(t.is_finite() && t <= MAX_WRITE_MS) {
        return err(format!("time out of range: {} ms", py_float(t)));
    }
    match grid {
        None => Ok(round_plain(t, precision)),
        Some(g) => round_to_grid(t, precision, g),
    }
}

/// Python's `str(float)` for the values an error message can show (finite or ±inf/nan).
pub fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let s = format!("{x:?}");
    // Rust's Debug float uses exponent form like 1e16; Python writes 1e+16.
    match s.find('e') {
        Some(k) if !s[k + 1..].starts_with('-') => format!("{}e+{}", &s[..k], &s[k + 1..]),
        _ => s,
    }
}

pub fn format_ass(cs: i64) -> String {
    let (h, rem) = (cs / 360000, cs % 360000);
    let (m, rem) = (rem / 6000, rem % 6000);
    let (s, c) = (rem / 100, rem % 100);
    format!("{h}:{m:02}:{s:02}.{c:02}")
}

pub fn format_srt(ms: i64) -> String {
    let (h, rem) = (ms / 3600000, ms % 3600000);
    let (m, rem) = (rem / 60000, rem % 60000);
    let (s, f) = (rem / 1000, rem % 1000);
    format!("{h:02}:{m:02}:{s:02},{f:03}")
}

pub fn format_vtt(ms: i64, with_hours: bool) -> String {
    let (h, rem) = (ms / 3600000, ms % 3600000);
    let (m, rem) = (rem / 60000, rem % 60000);
    let (s, f) = (rem / 1000, rem % 1000);
    if with_hours || h != 0 {
        format!("{h:02}:{m:02}:{s:02}.{f:03}")
    } else {
        format!("{m:02}:{s:02}.{f:03}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_every_digit() {
        assert_eq!(parse_time("0:00:01.5"), Some(1500.0));
        assert_eq!(parse_time("0:00:01.12"), Some(1120.0));
        assert_eq!(parse_time(" 00:00:01,123 "), Some(1123.0));
        assert_eq!(parse_time("0:00:01.1234"), Some(1123.4));
        assert_eq!(parse_time("01:02.500"), Some(62500.0));
        assert_eq!(parse_time("12"), None);
        assert_eq!(parse_time("1:x:00.00"), None);
        assert_eq!(parse_time("1::00.00"), None);
    }

    #[test]
    fn rounding_once() {
        assert_eq!(round_plain(1004.999, 10), 1000);
        assert_eq!(round_plain(1005.0, 10), 1010);
        assert_eq!(round_plain(-3.0, 10), 0);
        let g = FrameGrid::new(24000, 1001).unwrap();
        assert_eq!(round_to_grid(1001.0, 10, &g).unwrap(), 1000);
        assert_eq!(round_to_grid(1001.4, 10, &g).unwrap(), 1010);
        assert_eq!(round_to_grid(1042.9, 10, &g).unwrap(), 1040);
        assert_eq!(format_ass(360000 + 6000 + 100 + 5), "1:01:01.05");
        assert_eq!(format_srt(3723004), "01:02:03,004");
        assert_eq!(format_vtt(62500, false), "01:02.500");
    }
}
