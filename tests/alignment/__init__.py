"""Tests for toolkit.alignment, one module per module of the package."""
