"""Corpus loaders. Each returns a validated corpus table (see :mod:`toolkit.corpora.schema`)."""

from toolkit.corpora._dask import write_partitioned
from toolkit.corpora.archive import ArchiveError, UnsafeArchiveError, iter_members
from toolkit.corpora.cmfa import load_cmfa
from toolkit.corpora.generic import load_table, load_text_folder
from toolkit.corpora.registry import (
    CorpusNotFoundError,
    FetchError,
    corpus_card,
    corpus_info,
    corpus_names,
    default_corpus_name,
    fetch,
    identify_release,
    list_corpora,
    load_corpus,
    locate,
)
from toolkit.corpora.schema import (
    STANDARD_COLUMNS,
    CorpusValidationError,
    standardize_columns,
    standardize_dates,
    validate_corpus,
)
from toolkit.corpora.sotu import load_sotu
from toolkit.corpora.ungdc import UngdcError, find_ungdc_source, load_ungdc

__all__ = [
    "STANDARD_COLUMNS",
    "ArchiveError",
    "CorpusNotFoundError",
    "CorpusValidationError",
    "FetchError",
    "UngdcError",
    "UnsafeArchiveError",
    "corpus_card",
    "corpus_info",
    "corpus_names",
    "default_corpus_name",
    "fetch",
    "find_ungdc_source",
    "identify_release",
    "iter_members",
    "list_corpora",
    "load_cmfa",
    "load_corpus",
    "load_sotu",
    "load_table",
    "load_text_folder",
    "load_ungdc",
    "locate",
    "standardize_columns",
    "standardize_dates",
    "validate_corpus",
    "write_partitioned",
]
