//! Timestamp parsing and formatting (docs/clip.md, "Timestamps").
//!
//! Accepted forms: `HH:MM:SS[.fff]` (hours any number of digits, minutes and seconds two digits below 60),
//! `MM:SS[.fff]` (minutes any number of digits), plain seconds `90` / `90.5`, human `1h30m45.5s` / `90s` /
//! `2m` / `250ms` (units h, m, s, ms in that order, each at most once; only seconds take a fraction; case is
//! ignored) and ISO 8601 durations `PT1H30M`, `P1DT2H`, `PT45.5S` (days, hours, minutes, seconds; a decimal
//! comma is accepted). Values are whole milliseconds: a fraction is rounded half up to the millisecond.
use super::error::{ClipError, ClipErrorKind};

/// The largest accepted time: 100 000 hours, in milliseconds.
pub const MAX_MS: u64 = 100_000 * 3_600_000;

const FORMS_HINT: &str =
    "use HH:MM:SS[.fff], MM:SS[.fff], seconds (90.5), a duration like 1h30m45.5s, or ISO 8601 like PT1H30M";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeForm {
    Hms,
    Ms,
    Seconds,
    Human,
    Iso,
}

impl TimeForm {
    pub const ALL: [TimeForm; 5] = [
        TimeForm::Hms,
        TimeForm::Ms,
        TimeForm::Seconds,
        TimeForm::Human,
        TimeForm::Iso,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TimeForm::Hms => "hms",
            TimeForm::Ms => "ms",
            TimeForm::Seconds => "seconds",
            TimeForm::Human => "human",
            TimeForm::Iso => "iso",
        }
    }

    pub fn from_name(name: &str) -> Option<TimeForm> {
        TimeForm::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// A parsed timestamp: whole milliseconds and the form it was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp {
    pub ms: u64,
    pub form: TimeForm,
}

fn invalid(input: &str, reason: &str) -> ClipError {
    ClipError::new(
        ClipErrorKind::InvalidTimestamp,
        format!("invalid timestamp '{}': {}; {}", input, reason, FORMS_HINT),
    )
}

/// Digits only, 1 to 12 of them.
fn uint(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Milliseconds of a decimal fraction's digits (without the point), rounded half up; None unless digits.
fn frac_ms(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let b = digits.as_bytes();
    let mut ms = 0u64;
    for i in 0..3 {
        ms = ms * 10
            + if i < b.len() {
                u64::from(b[i] - b'0')
            } else {
                0
            };
    }
    if b.len() > 3 && b[3] >= b'5' {
        ms += 1;
    }
    Some(ms)
}

/// `int[.frac]` (or `int,frac` when `comma`) seconds as milliseconds.
fn decimal_seconds(s: &str, comma: bool) -> Option<u64> {
    let sep = s.find(|c: char| c == '.' || (comma && c == ','));
    match sep {
        None => uint(s).map(|v| v * 1000),
        Some(i) => {
            let whole = uint(&s[..i])?;
            let f = frac_ms(&s[i + 1..])?;
            Some(whole * 1000 + f)
        }
    }
}

fn checked_total(input: &str, ms: Option<u64>) -> Result<u64, ClipError> {
    match ms {
        Some(v) if v <= MAX_MS => Ok(v),
        Some(_) => Err(invalid(input, "it is longer than 100000 hours")),
        None => Err(invalid(input, "a number has too many digits")),
    }
}

/// Parse one timestamp; errors quote `input` and list the accepted forms.
pub fn parse_timestamp(input: &str) -> Result<Timestamp, ClipError> {
    let t = input.trim();
    if t.is_empty() {
        return Err(invalid(input, "it is empty"));
    }
    if t.starts_with('-') {
        return Err(invalid(input, "it is negative"));
    }
    if t.contains(':') {
        return parse_colon(input, t);
    }
    let first = t.as_bytes()[0];
    if first == b'P' || first == b'p' {
        return parse_iso(input, t);
    }
    if t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return match decimal_seconds(t, false) {
            Some(ms) => Ok(Timestamp {
                ms: checked_total(input, Some(ms))?,
                form: TimeForm::Seconds,
            }),
            None => Err(invalid(input, "not a number of seconds")),
        };
    }
    parse_human(input, t)
}

fn two_digits_below_60(s: &str) -> Option<u64> {
    if s.len() != 2 {
        return None;
    }
    uint(s).filter(|v| *v < 60)
}

fn parse_colon(input: &str, t: &str) -> Result<Timestamp, ClipError> {
    let parts: Vec<&str> = t.split(':').collect();
    let (sec_part, form) = match parts.len() {
        2 => (parts[1], TimeForm::Ms),
        3 => (parts[2], TimeForm::Hms),
        _ => return Err(invalid(input, "too many ':' separators")),
    };
    let (ss, frac) = match sec_part.find('.') {
        Some(i) => (&sec_part[..i], Some(&sec_part[i + 1..])),
        None => (sec_part, None),
    };
    let secs = two_digits_below_60(ss)
        .ok_or_else(|| invalid(input, "seconds must be two digits from 00 to 59"))?;
    let f = match frac {
        Some(d) => frac_ms(d).ok_or_else(|| invalid(input, "the fraction must be digits"))?,
        None => 0,
    };
    let total = if form == TimeForm::Hms {
        let h = uint(parts[0]).ok_or_else(|| invalid(input, "hours must be digits"))?;
        let m = two_digits_below_60(parts[1])
            .ok_or_else(|| invalid(input, "minutes must be two digits from 00 to 59"))?;
        h.checked_mul(3_600_000)
            .map(|v| v + m * 60_000 + secs * 1000 + f)
    } else {
        let m = uint(parts[0]).ok_or_else(|| invalid(input, "minutes must be digits"))?;
        m.checked_mul(60_000).map(|v| v + secs * 1000 + f)
    };
    Ok(Timestamp {
        ms: checked_total(input, total)?,
        form,
    })
}

/// Split `t` into (number, unit) pairs: digits/points/commas, then letters.
fn components(t: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut chars = t.chars().peekable();
    while chars.peek().is_some() {
        let mut num = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                num.push(c);
                chars.next();
            } else {
                break;
            }
        }
        let mut unit = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_alphabetic() {
                unit.push(c);
                chars.next();
            } else {
                break;
            }
        }
        if num.is_empty() && unit.is_empty() {
            return None; // a character that is neither
        }
        out.push((num, unit));
    }
    Some(out)
}

fn parse_human(input: &str, t: &str) -> Result<Timestamp, ClipError> {
    let lower = t.to_ascii_lowercase();
    let comps = components(&lower).ok_or_else(|| invalid(input, "unexpected character"))?;
    let order = ["h", "m", "s", "ms"];
    let scale = [3_600_000u64, 60_000, 1000, 1];
    let mut next = 0usize;
    let mut total: Option<u64> = Some(0);
    for (num, unit) in &comps {
        if num.is_empty() {
            return Err(invalid(input, &format!("missing number before '{}'", unit)));
        }
        if unit.is_empty() {
            return Err(invalid(input, &format!("missing unit after '{}'", num)));
        }
        let idx = match order.iter().position(|u| u == unit) {
            Some(i) => i,
            None => return Err(invalid(input, &format!("unknown unit '{}'", unit))),
        };
        if idx < next {
            return Err(invalid(
                input,
                "units must come in the order h, m, s, ms, each at most once",
            ));
        }
        next = idx + 1;
        let value = if unit == "s" {
            decimal_seconds(num, false)
                .ok_or_else(|| invalid(input, &format!("'{}' is not a number", num)))?
        } else {
            if num.contains('.') || num.contains(',') {
                return Err(invalid(
                    input,
                    "only seconds may have a fraction (write 1h30m, not 1.5h)",
                ));
            }
            let v = uint(num).ok_or_else(|| invalid(input, "a number has too many digits"))?;
            match v.checked_mul(scale[idx]) {
                Some(x) => x,
                None => return Err(invalid(input, "a number has too many digits")),
            }
        };
        total = total.and_then(|acc| acc.checked_add(value));
    }
    Ok(Timestamp {
        ms: checked_total(input, total)?,
        form: TimeForm::Human,
    })
}

fn parse_iso(input: &str, t: &str) -> Result<Timestamp, ClipError> {
    let upper = t.to_ascii_uppercase();
    let body = &upper[1..];
    let (date, time) = match body.find('T') {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mut total: Option<u64> = Some(0);
    let mut any = false;
    if !date.is_empty() {
        let comps = components(date).ok_or_else(|| invalid(input, "unexpected character"))?;
        for (num, unit) in &comps {
            if unit != "D" || comps.len() != 1 {
                return Err(invalid(
                    input,
                    "only days (D) may come before T; years, months and weeks are not supported",
                ));
            }
            let d = uint(num).ok_or_else(|| invalid(input, "days must be a whole number"))?;
            total = d.checked_mul(86_400_000);
            any = true;
        }
    }
    if let Some(time) = time {
        if time.is_empty() {
            return Err(invalid(input, "nothing after T"));
        }
        let comps = components(time).ok_or_else(|| invalid(input, "unexpected character"))?;
        let order = ["H", "M", "S"];
        let scale = [3_600_000u64, 60_000, 1000];
        let mut next = 0usize;
        for (num, unit) in &comps {
            if num.is_empty() || unit.is_empty() {
                return Err(invalid(
                    input,
                    "each part needs a number and a unit (H, M or S)",
                ));
            }
            let idx = match order.iter().position(|u| u == unit) {
                Some(i) if i >= next => i,
                _ => {
                    return Err(invalid(
                        input,
                        "after T only H, M and S may follow, in that order, each at most once",
                    ))
                }
            };
            next = idx + 1;
            let value = if idx == 2 {
                decimal_seconds(num, true)
                    .ok_or_else(|| invalid(input, &format!("'{}' is not a number", num)))?
            } else {
                if num.contains('.') || num.contains(',') {
                    return Err(invalid(input, "only seconds may have a fraction"));
                }
                let v = uint(num).ok_or_else(|| invalid(input, "a number has too many digits"))?;
                match v.checked_mul(scale[idx]) {
                    Some(x) => x,
                    None => return Err(invalid(input, "a number has too many digits")),
                }
            };
            total = total.and_then(|acc| acc.checked_add(value));
            any = true;
        }
    }
    if !any {
        return Err(invalid(
            input,
            "an ISO 8601 duration needs at least one part, like PT90S",
        ));
    }
    Ok(Timestamp {
        ms: checked_total(input, total)?,
        form: TimeForm::Iso,
    })
}

/// `.fff` (always three digits) or "" for whole seconds.
fn frac3(ms: u64) -> String {
    if ms % 1000 == 0 {
        String::new()
    } else {
        format!(".{:03}", ms % 1000)
    }
}

/// `.f`, `.ff` or `.fff` without trailing zeros, or "" for whole seconds.
fn frac_trim(ms: u64) -> String {
    let s = frac3(ms);
    if s.is_empty() {
        s
    } else {
        s.trim_end_matches('0').to_string()
    }
}

/// Write `ms` in `form`; `parse_timestamp` of the result gives `ms` back.
pub fn format_timestamp(ms: u64, form: TimeForm) -> String {
    let h = ms / 3_600_000;
    let m = (ms / 60_000) % 60;
    let s = (ms / 1000) % 60;
    match form {
        TimeForm::Hms => format!("{:02}:{:02}:{:02}{}", h, m, s, frac3(ms)),
        TimeForm::Ms => format!("{:02}:{:02}{}", ms / 60_000, s, frac3(ms)),
        TimeForm::Seconds => format!("{}{}", ms / 1000, frac_trim(ms)),
        TimeForm::Human | TimeForm::Iso => {
            let iso = form == TimeForm::Iso;
            let mut out = String::from(if iso { "PT" } else { "" });
            if h > 0 {
                out.push_str(&format!("{}{}", h, if iso { "H" } else { "h" }));
            }
            if m > 0 {
                out.push_str(&format!("{}{}", m, if iso { "M" } else { "m" }));
            }
            if s > 0 || ms % 1000 != 0 || ms == 0 {
                out.push_str(&format!(
                    "{}{}{}",
                    s,
                    frac_trim(ms),
                    if iso { "S" } else { "s" }
                ));
            }
            out
        }
    }
}

/// `ms` as a seconds argument for ffmpeg: `90.500`.
pub fn seconds_arg(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// `ms` for a file name: total minutes and seconds `01-30`, with a trimmed fraction `01-30.5` when needed.
pub fn filename_time(ms: u64) -> String {
    format!(
        "{:02}-{:02}{}",
        ms / 60_000,
        (ms / 1000) % 60,
        frac_trim(ms)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> u64 {
        parse_timestamp(s).unwrap().ms
    }

    #[test]
    fn every_form_parses() {
        assert_eq!(ms("01:30:45.5"), 5_445_500);
        assert_eq!(parse_timestamp("01:30:45").unwrap().form, TimeForm::Hms);
        assert_eq!(ms("1:30"), 90_000);
        assert_eq!(parse_timestamp("1:30").unwrap().form, TimeForm::Ms);
        assert_eq!(ms("90:00.25"), 5_400_250);
        assert_eq!(ms("90"), 90_000);
        assert_eq!(ms("90.5"), 90_500);
        assert_eq!(ms(" 90.0005 "), 90_001);
        assert_eq!(ms("90.00049"), 90_000);
        assert_eq!(ms("1h30m45.5s"), 5_445_500);
        assert_eq!(ms("90s"), 90_000);
        assert_eq!(ms("2m"), 120_000);
        assert_eq!(ms("250ms"), 250);
        assert_eq!(ms("1H2M"), 3_720_000);
        assert_eq!(ms("PT1H30M"), 5_400_000);
        assert_eq!(ms("pt45,5s"), 45_500);
        assert_eq!(ms("P1DT1S"), 86_401_000);
        assert_eq!(ms("P2D"), 172_800_000);
        assert_eq!(parse_timestamp("PT1S").unwrap().form, TimeForm::Iso);
    }

    #[test]
    fn invalid_inputs_are_quoted() {
        for bad in [
            "",
            "  ",
            "abc",
            "1:60",
            "1:5",
            "1:2:3:4",
            "01:75:00",
            "-5",
            "1.5h",
            "5x",
            "h",
            "1h30",
            "30m1h",
            "PT",
            "P1M",
            "PTXS",
            "P1Y",
            "90.",
            ".5",
            "1..2",
            "1h 30m",
            "9999999999999",
            "1h1h",
        ] {
            let e = parse_timestamp(bad).unwrap_err();
            assert_eq!(e.kind, ClipErrorKind::InvalidTimestamp, "{bad}");
            assert!(
                e.message.contains(&format!("'{bad}'")),
                "{bad}: {}",
                e.message
            );
        }
        assert!(parse_timestamp("100001h")
            .unwrap_err()
            .message
            .contains("100000 hours"));
    }

    #[test]
    fn format_round_trips() {
        for v in [
            0u64, 1, 999, 1000, 59_999, 90_500, 3_600_000, 5_445_500, 86_401_001, MAX_MS,
        ] {
            for f in TimeForm::ALL {
                let text = format_timestamp(v, f);
                let back = parse_timestamp(&text).unwrap();
                assert_eq!(back.ms, v, "{f:?} {text}");
            }
        }
        assert_eq!(format_timestamp(5_445_500, TimeForm::Hms), "01:30:45.500");
        assert_eq!(format_timestamp(90_000, TimeForm::Ms), "01:30");
        assert_eq!(format_timestamp(90_500, TimeForm::Seconds), "90.5");
        assert_eq!(format_timestamp(5_445_500, TimeForm::Human), "1h30m45.5s");
        assert_eq!(format_timestamp(0, TimeForm::Human), "0s");
        assert_eq!(format_timestamp(5_400_000, TimeForm::Iso), "PT1H30M");
        assert_eq!(format_timestamp(0, TimeForm::Iso), "PT0S");
        assert_eq!(seconds_arg(90_050), "90.050");
        assert_eq!(filename_time(90_000), "01-30");
        assert_eq!(filename_time(5_430_500), "90-30.5");
    }
}
