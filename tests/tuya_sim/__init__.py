"""Tests of the simulated Tuya cloud."""
