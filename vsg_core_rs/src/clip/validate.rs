//! Clip ranges: start plus end or duration, checked against each other and the input's length.
use super::error::{ClipError, ClipErrorKind};
use super::timestamp::{format_timestamp, parse_timestamp, TimeForm};

/// A validated clip: `start_ms < end_ms`, both within the input when its length is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClipRange {
    pub start_ms: u64,
    pub end_ms: u64,
}

impl ClipRange {
    pub fn duration_ms(&self) -> u64 {
        self.end_ms - self.start_ms
    }
}

fn range_err(message: String) -> ClipError {
    ClipError::new(ClipErrorKind::InvalidRange, message)
}

fn hms(ms: u64) -> String {
    format_timestamp(ms, TimeForm::Hms)
}

/// Resolve `start` and exactly one of `end` / `duration` (timestamp texts) into a range.
///
/// `media_duration_ms`: the input's length when known; the start must lie before it and the end at or
/// before it. Every error quotes the texts it is about.
pub fn resolve_range(
    start: &str,
    end: Option<&str>,
    duration: Option<&str>,
    media_duration_ms: Option<u64>,
) -> Result<ClipRange, ClipError> {
    let s = parse_timestamp(start)?.ms;
    let e = match (end, duration) {
        (Some(e), Some(d)) => {
            return Err(range_err(format!(
                "give an end or a duration, not both (end '{}', duration '{}')",
                e, d
            )))
        }
        (None, None) => {
            return Err(range_err(format!(
                "start '{}' needs an end or a duration",
                start
            )))
        }
        (Some(e), None) => {
            let v = parse_timestamp(e)?.ms;
            if v <= s {
                return Err(range_err(format!(
                    "end '{}' ({}) must be after start '{}' ({})",
                    e,
                    hms(v),
                    start,
                    hms(s)
                )));
            }
            v
        }
        (None, Some(d)) => {
            let v = parse_timestamp(d)?.ms;
            if v == 0 {
                return Err(range_err(format!(
                    "duration '{}' must be greater than 0",
                    d
                )));
            }
            s + v
        }
    };
    if let Some(total) = media_duration_ms {
        if s >= total {
            return Err(range_err(format!(
                "start '{}' ({}) is past the end of the input ({} long)",
                start,
                hms(s),
                hms(total)
            )));
        }
        if e > total {
            let what = match (end, duration) {
                (Some(t), _) => format!("end '{}'", t),
                (_, Some(d)) => format!("start '{}' + duration '{}'", start, d),
                _ => String::new(),
            };
            return Err(range_err(format!(
                "{} ({}) is past the end of the input ({} long)",
                what,
                hms(e),
                hms(total)
            )));
        }
    }
    Ok(ClipRange {
        start_ms: s,
        end_ms: e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_or_duration() {
        let r = resolve_range("1:30", Some("2:45"), None, Some(600_000)).unwrap();
        assert_eq!(
            (r.start_ms, r.end_ms, r.duration_ms()),
            (90_000, 165_000, 75_000)
        );
        let r = resolve_range("90s", None, Some("PT75S"), None).unwrap();
        assert_eq!((r.start_ms, r.end_ms), (90_000, 165_000));
        let r = resolve_range("0", Some("10"), None, Some(10_000)).unwrap();
        assert_eq!(r.end_ms, 10_000);
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn errors_quote_the_input() {
        let cases: [(&str, Option<&str>, Option<&str>, Option<u64>, &str); 7] = [
            (
                "2:00",
                Some("1:00"),
                None,
                None,
                "end '1:00' (00:01:00) must be after start '2:00'",
            ),
            ("2:00", Some("2:00"), None, None, "must be after start"),
            (
                "1",
                None,
                Some("0"),
                None,
                "duration '0' must be greater than 0",
            ),
            ("1", Some("2"), Some("3"), None, "not both"),
            (
                "1",
                None,
                None,
                None,
                "start '1' needs an end or a duration",
            ),
            (
                "10:00",
                Some("11:00"),
                None,
                Some(300_000),
                "start '10:00' (00:10:00) is past the end",
            ),
            (
                "1:00",
                None,
                Some("10m"),
                Some(300_000),
                "start '1:00' + duration '10m' (00:11:00) is past",
            ),
        ];
        for (s, e, d, m, want) in cases {
            let err = resolve_range(s, e, d, m).unwrap_err();
            assert_eq!(err.kind, ClipErrorKind::InvalidRange);
            assert!(err.message.contains(want), "{} / {}", err.message, want);
        }
        let err = resolve_range("x", Some("1"), None, None).unwrap_err();
        assert_eq!(err.kind, ClipErrorKind::InvalidTimestamp);
    }
}
