"""Audio analysis: decode, chunked correlation (Phase 2), delay selection and drift diagnosis (Phase 3)."""
