"""Layer 4, re-runs: fingerprints, the journal, status, compare and the run recorder."""
