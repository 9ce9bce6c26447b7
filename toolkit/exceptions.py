"""Every error and warning class of fptk, in one place.

All warnings derive from :class:`FptkWarning`, so one filter silences or escalates them
all::

    import warnings
    from toolkit.exceptions import FptkWarning
    warnings.simplefilter("error", FptkWarning)   # treat every fptk warning as an error

All errors derive from :class:`FptkError` *and* from the built-in exception a caller
would expect (``ValueError`` for bad input, ``FileNotFoundError`` for a missing file...),
so ``except ValueError`` keeps working. The classes are re-exported where they were
defined before (``toolkit.corpora.schema.CorpusValidationError`` and so on).

This module imports nothing from the toolkit: any stage may import it.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "CacheCorruptWarning",
    "CorpusNotFoundError",
    "CorpusValidationError",
    "EmptyDocumentsWarning",
    "ExternalDataMissingError",
    "FetchError",
    "FigureLabelWarning",
    "FptkDeprecationWarning",
    "FptkError",
    "FptkWarning",
    "LowSampleWarning",
    "ReportBuildError",
    "UngdcError",
    "UnmatchedCodesWarning",
    "UnsafeArchiveError",
]


# ------------------------------------------------------------------------------ bases
class FptkError(Exception):
    """Base class of every error fptk raises on purpose."""


class FptkWarning(UserWarning):
    """Base class of every warning fptk issues; filter it to act on all of them."""


class FptkDeprecationWarning(FptkWarning, FutureWarning):
    """A parameter, key or name is deprecated; the message names its replacement.

    A ``FutureWarning`` so that notebook users see it (``DeprecationWarning`` is hidden
    outside ``__main__``). Deprecated names keep working for one release.
    """


# ------------------------------------------------------------------------ corpora
class CorpusValidationError(FptkError, ValueError):
    """A corpus table breaks the schema. The message names rows and the fix."""


class UngdcError(CorpusValidationError):
    """A UNGDC file or folder does not follow the release's layout."""


class ArchiveError(FptkError, ValueError):
    """A file is not a readable archive, or a member cannot be read."""


class UnsafeArchiveError(ArchiveError):
    """An archive member would escape the folder, or is a link or a device."""


class CorpusNotFoundError(FptkError, FileNotFoundError):
    """A known corpus is not in the data home. The message says where to put it."""


class FetchError(FptkError, RuntimeError):
    """A download failed (offline, refused, truncated, wrong checksum) or a file clashes.

    The message says what happened and exactly where to put a manually downloaded file.
    Nothing partial is ever left behind.
    """


class ExternalDataMissingError(FptkError, FileNotFoundError):
    """An external measure (UN votes, ideal points, SIPRI) is not in the external home."""


# ----------------------------------------------------------------------- warnings
class CacheCorruptWarning(FptkWarning):
    """A cache entry could not be read; it is rebuilt."""


class EmptyDocumentsWarning(FptkWarning):
    """Some documents have no tokens left after preprocessing."""


class LowSampleWarning(FptkWarning):
    """Some points of a series rest on too few documents; they are flagged ``low_n``."""


class UnmatchedCodesWarning(FptkWarning):
    """Some actor codes or names could not be matched to ISO3; they are kept as NA."""


class FigureLabelWarning(FptkWarning):
    """A figure shown in a report lacks a title or an axis label."""


# ------------------------------------------------------------------------- report
class ReportBuildError(FptkError, RuntimeError):
    """One or more notebooks failed to execute; the partial reports are still written."""


# ------------------------------------------------------------- appended (issue 11.6)
class FewUnitsWarning(LowSampleWarning):
    """Some intervals rest on too few resampled units (e.g. < 5 passages); they are NaN."""


__all__ += ["FewUnitsWarning"]


# ------------------------------------------------------------------ corpus loading
class BadDateWarning(FptkWarning):
    """Some dates could not be parsed and ``on_bad_date`` was ``"warn"`` or ``"skip"``.

    With ``"warn"`` those documents are kept with no date (counted in
    ``attrs["corpus"]["warnings"]``); with ``"skip"`` they are dropped (counted in
    ``attrs["corpus"]["skipped"]``). Each entry names the row and the value.
    """


class IdColumnWarning(FptkWarning):
    """A table has a column that looks like document ids but was not mapped to ``doc_id``.

    The ids were generated instead; pass ``id_column=`` to use the column.
    """


__all__ += ["BadDateWarning", "IdColumnWarning"]


# ------------------------------------------------------------- appended (issue 11.6)
class UnresolvedIntervalWarning(FptkWarning):
    """A bootstrap interval needs quantiles beyond its replicates (BCa with a large bias); NaN."""


__all__ += ["UnresolvedIntervalWarning"]
