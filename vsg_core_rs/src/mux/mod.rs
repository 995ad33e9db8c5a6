//! Phase 8: mkvmerge options (spec pipeline_ui.md §8). Pure functions, mirrored by the Python reference
//! `vsg_core/mux/options.py` and `vsg_core/mux/options_file.py`; the parity test
//! (tests/parity/test_phase8_mux.py) requires byte-identical options files from both.
//!
//! - [`options`]: final track order (§8.1), default/forced flags (§8.2), `--sync` delays (§8.3) and the
//!   token sequence (§8.4).
//! - [`options_file`]: the single-line JSON array written to `opts.json` (§8.5).

pub mod options;
pub mod options_file;

pub use options::{
    build_options, final_order, flag_indices, track_delay, FlagIndices, MuxError, MuxSettings,
};
pub use options_file::{serialise_options, write_options_file};
