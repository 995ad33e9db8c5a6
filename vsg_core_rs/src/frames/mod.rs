//! Frame ↔ time math (Phase 6): the three CFR modes and the exact integer frame grid.
//!
//! Port of `vsg_core/frames/cfr.py` (the reference); behaviour is described in docs/frame_math.md.
//! Every function computes with the same IEEE-754 operations in the same order as the reference, so
//! both give bit-identical results (tests/parity/test_phase6_frames.py).

pub mod matching;

/// Added to the time before flooring in `floor` mode (protects exact frame times from FP error).
pub const EPSILON_MS: f64 = 1e-6;
pub const MAX_TIME_MS: f64 = 1e15;
pub const MAX_FRAME: i64 = 1_000_000_000_000;
pub const MAX_GRID_MS: f64 = 1e13;
pub const MAX_RATE_TERM: i64 = 2_147_483_647;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Floor,
    Middle,
    Aegisub,
}

impl Mode {
    pub fn parse(name: &str) -> Result<Mode, String> {
        match name {
            "floor" => Ok(Mode::Floor),
            "middle" => Ok(Mode::Middle),
            "aegisub" => Ok(Mode::Aegisub),
            other => Err(format!(
                "unknown frame mode '{other}': use one of floor, middle, aegisub"
            )),
        }
    }
}

fn frame_duration(fps: f64) -> Result<f64, String> {
    if !(fps.is_finite() && fps > 0.0) {
        return Err(format!(
            "frame rate must be a positive finite number, got {fps}"
        ));
    }
    Ok(1000.0 / fps)
}

/// Time (ms) → frame number.
pub fn time_to_frame(t_ms: f64, fps: f64, mode: Mode) -> Result<i64, String> {
    let fd = frame_duration(fps)?;
    if !(t_ms.is_finite() && t_ms.abs() <= MAX_TIME_MS) {
        return Err(format!("time out of range: {t_ms}"));
    }
    Ok(match mode {
        Mode::Floor => ((t_ms + EPSILON_MS) / fd).floor() as i64,
        Mode::Middle => (t_ms / fd - 0.5).round_ties_even() as i64,
        Mode::Aegisub => (t_ms / fd).floor() as i64,
    })
}

/// Frame number → time (ms).
pub fn frame_to_time(frame: i64, fps: f64, mode: Mode) -> Result<f64, String> {
    let fd = frame_duration(fps)?;
    if frame.abs() > MAX_FRAME {
        return Err(format!("frame out of range: {frame}"));
    }
    let f = frame as f64;
    Ok(match mode {
        Mode::Floor => f * fd,
        Mode::Middle => ((f + 0.5) * fd).round_ties_even(),
        Mode::Aegisub => 10.0 * (f * fd / 10.0).ceil(),
    })
}

/// CFR starting at 0 with rate `num/den`; frame `n` is shown at the integer millisecond
/// `round_half_up(n · 1000 · den / num)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameGrid {
    pub num: i64,
    pub den: i64,
}

impl FrameGrid {
    pub fn new(num: i64, den: i64) -> Result<FrameGrid, String> {
        if !(0 < num && num <= MAX_RATE_TERM && 0 < den && den <= MAX_RATE_TERM) {
            return Err(format!("frame rate must be positive, got {num}/{den}"));
        }
        Ok(FrameGrid { num, den })
    }

    pub fn fps(&self) -> f64 {
        self.num as f64 / self.den as f64
    }

    fn frame_ms_unchecked(&self, n: i64) -> i64 {
        let num = self.num as i128;
        let v = (2 * n as i128 * 1000 * self.den as i128 + num).div_euclid(2 * num);
        v as i64
    }

    pub fn frame_ms(&self, n: i64) -> Result<i64, String> {
        if n.abs() > MAX_FRAME {
            return Err(format!("frame out of range: {n}"));
        }
        Ok(self.frame_ms_unchecked(n))
    }

    /// The first frame shown at or after `t_ms`.
    pub fn frame_of(&self, t_ms: f64) -> Result<i64, String> {
        if !(t_ms.is_finite() && t_ms.abs() <= MAX_GRID_MS) {
            return Err(format!("time out of range for the frame grid: {t_ms}"));
        }
        if t_ms <= 0.0 {
            return Ok(0);
        }
        let est = (t_ms * self.num as f64 / (1000 * self.den) as f64).floor() as i64;
        let mut n = (est - 1).max(0);
        while (self.frame_ms_unchecked(n) as f64) < t_ms {
            n += 1;
        }
        while n > 0 && (self.frame_ms_unchecked(n - 1) as f64) >= t_ms {
            n -= 1;
        }
        Ok(n)
    }
}

/// What the subtitle writer needs from a video's frame timing: the first frame shown at or after a time,
/// and when a frame is shown (integer ms).
pub trait FrameClock {
    fn frame_of(&self, t_ms: f64) -> Result<i64, String>;
    fn frame_ms(&self, n: i64) -> Result<i64, String>;
}

impl FrameClock for FrameGrid {
    fn frame_of(&self, t_ms: f64) -> Result<i64, String> {
        FrameGrid::frame_of(self, t_ms)
    }
    fn frame_ms(&self, n: i64) -> Result<i64, String> {
        FrameGrid::frame_ms(self, n)
    }
}

/// VFR: the frame times (ms) read from the video, plus the end of the last frame (reference:
/// `vsg_core/frames/vfr.py`, which answers through the VideoTimestamps package). Past the end the last
/// frame's duration continues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameTimes {
    times: Vec<i64>,
}

impl FrameTimes {
    pub fn new(times: Vec<i64>) -> Result<FrameTimes, String> {
        if times.len() < 2 || times.windows(2).any(|w| w[1] <= w[0]) {
            return Err(
                "frame times must be at least two strictly increasing values (ms)".to_string(),
            );
        }
        Ok(FrameTimes { times })
    }

    fn last_duration(&self) -> i64 {
        let n = self.times.len();
        self.times[n - 1] - self.times[n - 2]
    }
}

impl FrameClock for FrameTimes {
    fn frame_of(&self, t_ms: f64) -> Result<i64, String> {
        if !t_ms.is_finite() {
            return Err(format!("time must be finite, got {t_ms}"));
        }
        let end = *self.times.last().unwrap_or(&0) as f64;
        let last = self.times.len() as i64 - 1;
        if t_ms > end {
            return Ok(last + ((t_ms - end) / self.last_duration() as f64).ceil() as i64);
        }
        Ok(self.times.partition_point(|&x| (x as f64) < t_ms) as i64)
    }

    fn frame_ms(&self, n: i64) -> Result<i64, String> {
        let last = self.times.len() as i64 - 1;
        if n < 0 {
            return Err(format!("frame out of range: {n}"));
        }
        if n > last {
            return Ok(self.times[last as usize] + (n - last) * self.last_duration());
        }
        Ok(self.times[n as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILM: f64 = 24000.0 / 1001.0;

    #[test]
    fn floor_vectors_at_film_rate() {
        for (t, f) in [
            (0.0, 0),
            (41.707, 0),
            (41.708, 0),
            (1000.999, 23),
            (1001.0, 24),
            (4170.8, 99),
            (4171.0, 100),
        ] {
            assert_eq!(time_to_frame(t, FILM, Mode::Floor).unwrap(), f, "t={t}");
        }
        assert_eq!(
            frame_to_time(24, FILM, Mode::Floor).unwrap(),
            1000.9999999999999
        );
        assert_eq!(
            frame_to_time(100, FILM, Mode::Floor).unwrap(),
            4170.833333333333
        );
    }

    #[test]
    fn middle_and_aegisub_vectors() {
        for (f, t) in [(0, 21.0), (1, 63.0), (24, 1022.0), (100, 4192.0)] {
            assert_eq!(frame_to_time(f, FILM, Mode::Middle).unwrap(), t);
        }
        for (f, t) in [(0, 0.0), (1, 50.0), (24, 1010.0), (100, 4180.0)] {
            assert_eq!(frame_to_time(f, FILM, Mode::Aegisub).unwrap(), t);
        }
        for (t, f) in [(1001.0, 24), (1022.0, 24), (4171.0, 100)] {
            assert_eq!(time_to_frame(t, FILM, Mode::Middle).unwrap(), f);
            assert_eq!(time_to_frame(t, FILM, Mode::Aegisub).unwrap(), f);
        }
    }

    #[test]
    fn exact_grid() {
        let g = FrameGrid::new(24000, 1001).unwrap();
        let want = [
            (0, 0),
            (1, 42),
            (2, 83),
            (12, 501),
            (24, 1001),
            (25, 1043),
            (48, 2002),
        ];
        for (n, ms) in want {
            assert_eq!(g.frame_ms(n).unwrap(), ms);
            assert_eq!(g.frame_of(ms as f64).unwrap(), n);
        }
        assert_eq!(g.frame_of(1001.4).unwrap(), 25);
        assert_eq!(g.frame_of(-5.0).unwrap(), 0);
        assert!(FrameGrid::new(0, 1).is_err());
    }

    #[test]
    fn frame_times() {
        let c = FrameTimes::new(vec![0, 42, 83, 125, 167]).unwrap();
        assert_eq!(c.frame_of(42.0).unwrap(), 1);
        assert_eq!(c.frame_of(42.5).unwrap(), 2);
        assert_eq!(c.frame_of(-1.0).unwrap(), 0);
        assert_eq!(c.frame_of(200.0).unwrap(), 5);
        assert_eq!(c.frame_ms(5).unwrap(), 209);
        assert!(FrameTimes::new(vec![0, 0]).is_err());
    }
}
