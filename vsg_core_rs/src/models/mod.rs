//! Phase 1: core data types shared with the Python reference (`vsg_core.models`).
