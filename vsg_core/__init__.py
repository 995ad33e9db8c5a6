"""vsg core: analysis, correction and muxing pipeline (no Qt imports anywhere in this package)."""

__version__ = "0.1.0"
