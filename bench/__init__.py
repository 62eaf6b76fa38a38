"""Benchmark of the support desk at a million tickets: `python -m bench --help`."""
