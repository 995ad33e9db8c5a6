"""Correlation methods: the four FFT methods (``fft``; Python reference of the Rust engine) and the three
librosa feature methods (``feature``; Python in both backends)."""
