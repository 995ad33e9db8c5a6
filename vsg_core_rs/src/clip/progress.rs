//! ffmpeg `-progress` output (key=value lines) to a completed fraction.

/// The fraction (0..=1) of a clip of `duration_ms` that the `-progress` text read so far has reached.
///
/// The last `out_time_us` / `out_time_ms` (both microseconds in ffmpeg) or `out_time` (`HH:MM:SS.micro`)
/// value counts; `progress=end` means 1. None when the text has no usable time yet (`N/A`, nothing).
pub fn progress_fraction(text: &str, duration_ms: u64) -> Option<f64> {
    let mut us: Option<f64> = None;
    for line in text.lines() {
        let line = line.trim();
        let (key, value) = match line.find('=') {
            Some(i) => (line[..i].trim(), line[i + 1..].trim()),
            None => continue,
        };
        match key {
            "progress" if value == "end" => return Some(1.0),
            "out_time_us" | "out_time_ms" => {
                if let Ok(v) = value.parse::<i64>() {
                    us = Some(v as f64);
                }
            }
            "out_time" => {
                if let Some(v) = clock_us(value) {
                    us = Some(v);
                }
            }
            _ => {}
        }
    }
    let us = us?;
    if duration_ms == 0 {
        return None;
    }
    let f = us / (duration_ms as f64 * 1000.0);
    Some(f.clamp(0.0, 1.0))
}

/// `HH:MM:SS.ffffff` (optionally negative) in microseconds.
fn clock_us(value: &str) -> Option<f64> {
    let (neg, v) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let parts: Vec<&str> = v.split(':').collect();
    if parts.len() != 3 {
        return None;
    }
    let h: f64 = parts[0].parse().ok()?;
    let m: f64 = parts[1].parse().ok()?;
    let s: f64 = parts[2].parse().ok()?;
    if !(h.is_finite() && m.is_finite() && s.is_finite()) {
        return None;
    }
    let t = (h * 3600.0 + m * 60.0 + s) * 1e6;
    Some(if neg { -t } else { t })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions() {
        let block = "frame=10\nout_time_us=5000000\nout_time_ms=5000000\nout_time=00:00:05.000000\nprogress=continue\n";
        assert_eq!(progress_fraction(block, 10_000), Some(0.5));
        assert_eq!(
            progress_fraction("out_time=00:00:02.500000\n", 10_000),
            Some(0.25)
        );
        assert_eq!(progress_fraction("out_time_us=N/A\n", 10_000), None);
        assert_eq!(progress_fraction("progress=end\n", 10_000), Some(1.0));
        assert_eq!(progress_fraction("out_time_us=-5000\n", 10_000), Some(0.0));
        assert_eq!(
            progress_fraction("out_time_us=99000000\n", 10_000),
            Some(1.0)
        );
        assert_eq!(progress_fraction("", 10_000), None);
        assert_eq!(progress_fraction("out_time_us=1\n", 0), None);
    }
}
