"""claimdesk benchmarks: `python -m bench` (or `make bench`). Every figure is a ratio to a baseline run alongside."""
