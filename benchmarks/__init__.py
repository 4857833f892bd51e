"""Benchmarks of jobdash (not part of the test suite): ``python -m benchmarks.bench_contract``."""
