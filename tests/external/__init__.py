"""Tests for toolkit.external, one module per module of the package."""
