"""Developer tooling behind the make targets (set-up, training, benchmarks)."""
