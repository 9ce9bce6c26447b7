"""Tests for toolkit.report (a package so test names may repeat those in tests/)."""
