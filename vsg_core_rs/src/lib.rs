//! vsg_core_rs — the compiled compute core of vsg (Video Sync GUI).
//!
//! Pure Rust logic lives in the domain modules (`models`, `analysis`, `logging`, …) and is tested
//! with `cargo test`. The `bindings` module is a thin PyO3 layer that converts Python types and
//! registers everything on the `vsg_core_rs` Python module.

pub mod analysis;
pub mod bindings;
#[clippy::msrv = "1.63"] // also built for wasm32 by Debian's rustc 1.63 (web/build_wasm.sh)
pub mod clip;
pub mod correction;
pub mod frames;
pub mod logging;
pub mod models;
pub mod mux;
pub mod subtitles;
#[cfg(test)]
mod testutil;

use pyo3::prelude::*;

/// The Python module `vsg_core_rs`.
#[pymodule]
fn vsg_core_rs(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    bindings::register(m)
}
