//! `vsg clip`: timestamps, clip ranges, ffmpeg clip plans and ffmpeg `-progress` parsing.
//!
//! Pure Rust with the standard library only, so the same sources also build for `wasm32-unknown-unknown`
//! with an older toolchain (Debian's rustc 1.63; see `web/build_wasm.sh` and docs/clip.md). Keep to
//! Rust 1.63 features here: the WASM build compiles these files with that compiler (lib.rs sets clippy's
//! `msrv` for this module so clippy does not suggest newer APIs).

pub mod error;
pub mod plan;
pub mod progress;
pub mod timestamp;
pub mod validate;

pub use error::{ClipError, ClipErrorKind};
pub use plan::{output_name, plan_clip, ClipMode, ClipPlan, ClipRequest, EncodeSettings};
pub use progress::progress_fraction;
pub use timestamp::{format_timestamp, parse_timestamp, seconds_arg, TimeForm, Timestamp, MAX_MS};
pub use validate::{resolve_range, ClipRange};
