"""Jobs: discovery of (reference, others) sets, track layouts and their persistence."""
