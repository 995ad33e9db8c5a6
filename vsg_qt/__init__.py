"""vsg desktop app (PySide6). All work runs in vsg_core; this package only drives it."""
