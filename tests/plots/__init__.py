"""Tests for toolkit.plots (a package so test names may repeat those in tests/)."""
