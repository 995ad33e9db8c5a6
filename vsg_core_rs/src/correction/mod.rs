//! Phase 4: audio correction. Pure computation of stepping correction (boundary search, snapping, EDL,
//! assembly plan, sample splicing); decoding, encoding and tempo changes stay with ffmpeg / rubberband
//! on the Python side.

pub mod stepping;
