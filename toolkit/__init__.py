"""fptk: the Foreign-Policy Text Toolkit.

The package follows the pipeline stages of ``ARCHITECTURE.md`` (at the repository root)::

    corpora -> text -> features -> keywords -> topics -> alignment -> actors -> external
            -> overview -> plots -> report -> cli

with cross-cutting modules (``exceptions``, ``periods``, ``config``, ``cache``,
``provenance``) that any stage may import. A stage never imports a later one.

Submodules are imported lazily, so ``import toolkit`` stays fast and
``from toolkit import corpora, keywords`` works as expected.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = (
    "actors",
    "alignment",
    "cache",
    "cli",
    "config",
    "corpora",
    "distributed",
    "exceptions",
    "external",
    "features",
    "methods",
    "keywords",
    "overview",
    "periods",
    "plots",
    "provenance",
    "report",
    "stance",
    "text",
    "topics",
    "uncertainty",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
