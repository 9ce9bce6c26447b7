"""Corpus loaders. Each returns a validated corpus table (see :mod:`toolkit.corpora.schema`)."""

from toolkit.corpora.archive import ArchiveError, UnsafeArchiveError, iter_members
from toolkit.corpora.schema import (
    STANDARD_COLUMNS,
    CorpusValidationError,
    standardize_columns,
    validate_corpus,
)
from toolkit.corpora.ungdc import UngdcError, find_ungdc_source, load_ungdc

__all__ = [
    "STANDARD_COLUMNS",
    "ArchiveError",
    "CorpusValidationError",
    "UngdcError",
    "UnsafeArchiveError",
    "find_ungdc_source",
    "iter_members",
    "load_ungdc",
    "standardize_columns",
    "validate_corpus",
]
