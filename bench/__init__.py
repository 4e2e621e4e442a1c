"""``make bench``: figures printed against baselines measured in the same run (never tests)."""
