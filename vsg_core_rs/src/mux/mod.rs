//! Phase 8: mkvmerge options (docs/pipeline.md#mkvmerge-options). Pure functions, mirrored by the Python reference
//! `vsg_core/mux/options.py` and `vsg_core/mux/options_file.py`; the parity test
//! (tests/parity/test_phase8_mux.py) requires byte-identical options files from both.
//!
//! - [`options`]: final track order, default/forced flags, `--sync` delays and the token
//!   sequence (docs/pipeline.md#mkvmerge-options).
//! - [`options_file`]: the single-line JSON array written to `opts.json` (docs/pipeline.md#mkvmerge-options).

pub mod options;
pub mod options_file;

pub use options::{
    build_options, final_order, flag_indices, track_delay, FlagIndices, MuxError, MuxSettings,
};
pub use options_file::{serialise_options, write_options_file};
