"""Tests for toolkit.text, one module per module of the package."""
