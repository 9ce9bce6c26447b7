"""Tests of toolkit._validation and toolkit.exceptions."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from toolkit import exceptions
from toolkit._validation import (
    check_ci_level,
    check_int,
    check_option,
    renamed_parameters,
    require_columns,
)


def test_check_option_names_value_and_suggests():
    assert check_option("method", "nmf", ("nmf", "lda")) == "nmf"
    with pytest.raises(ValueError, match=r"method must be one of \('nmf', 'lda'\), got 'nfm'\. "
                                         r"Did you mean 'nmf'\?"):
        check_option("method", "nfm", ("nmf", "lda"))
    with pytest.raises(ValueError, match="got"):
        check_option("method", ["unhashable"], ("nmf",))


def test_check_ci_level():
    assert check_ci_level(0.9) == 0.9
    for bad in (0, 1, -0.1, True, "0.95"):
        with pytest.raises(ValueError, match=r"ci_level must be in \(0, 1\)"):
            check_ci_level(bad)
    with pytest.raises(ValueError, match=r"as a fraction: 0\.95"):
        check_ci_level(95)


def test_check_int():
    assert check_int("n_boot", 10, min_value=0) == 10
    with pytest.raises(ValueError, match="n_boot must be >= 1, got 0"):
        check_int("n_boot", 0, min_value=1)
    with pytest.raises(TypeError, match="must be an integer"):
        check_int("n_boot", 1.5)


def test_require_columns_and_its_old_home():
    from toolkit.corpora.schema import require_columns as old

    assert old is require_columns
    with pytest.raises(ValueError, match=r"f: the table has no column\(s\) \['b'\]"):
        require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], what="f")
    with pytest.raises(ValueError, match="is empty"):
        require_columns(pd.DataFrame({"a": []}), ["a"], what="f", nonempty=True)


def test_renamed_parameters_warns_and_forwards():
    @renamed_parameters(ci="ci_level")
    def f(*, ci_level=0.95):
        return ci_level

    with pytest.warns(exceptions.FptkDeprecationWarning, match="'ci' is deprecated.*'ci_level'"):
        assert f(ci=0.9) == 0.9
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert f(ci_level=0.8) == 0.8
    with pytest.raises(TypeError, match="got both"):
        f(ci=0.9, ci_level=0.8)


def test_every_warning_derives_from_one_base():
    names = [n for n in exceptions.__all__ if n.endswith("Warning")]
    assert len(names) >= 6
    for n in names:
        assert issubclass(getattr(exceptions, n), exceptions.FptkWarning)


def test_errors_keep_their_builtin_bases_and_old_homes():
    from toolkit.corpora import archive, registry, schema, ungdc

    assert issubclass(exceptions.CorpusValidationError, ValueError)
    assert issubclass(exceptions.CorpusNotFoundError, FileNotFoundError)
    assert schema.CorpusValidationError is exceptions.CorpusValidationError
    assert registry.FetchError is exceptions.FetchError
    assert ungdc.UngdcError is exceptions.UngdcError
    assert archive.UnsafeArchiveError is exceptions.UnsafeArchiveError
    for n in exceptions.__all__:
        cls = getattr(exceptions, n)
        if n.endswith("Error"):
            assert issubclass(cls, exceptions.FptkError)
