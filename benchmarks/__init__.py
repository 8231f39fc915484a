"""Benchmarks of the tuya_ota integration, run by ``scripts/bench`` (not by ``scripts/test``)."""
