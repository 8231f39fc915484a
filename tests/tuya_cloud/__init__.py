"""Tests of the Tuya cloud client."""
