"""Audio correction (Phase 4): stepping (EDL, boundary search, snapping, assembly), PAL and linear drift."""
