"""Declared checks of options, levels and columns, so that every error reads the same.

Modelled on scikit-learn's ``utils/_param_validation.py``: a constraint is written once
here and reused, so the wording of an error never drifts between functions. Every check
raises ``ValueError`` (or ``TypeError`` for a wrong type) whose message names the
parameter, the bad value, what is allowed and, where it helps, a "did you mean".

This module imports nothing from the toolkit except :mod:`toolkit.exceptions`; any stage
may import it.
"""

from __future__ import annotations

import difflib
import functools
import warnings
from collections.abc import Callable, Iterable, Sequence
from numbers import Integral, Real
from typing import Any, TypeVar

import pandas as pd

from toolkit.exceptions import FptkDeprecationWarning

__all__ = [
    "check_ci_level",
    "check_int",
    "check_option",
    "renamed_parameters",
    "require_columns",
]

F = TypeVar("F", bound=Callable[..., Any])


def check_option(name: str, value: Any, options: Iterable[Any]) -> Any:
    """Return ``value`` when it is one of ``options``; else raise ``ValueError``.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : object
        The value passed.
    options : iterable
        The allowed values.

    Returns
    -------
    object
        ``value`` unchanged.

    Raises
    ------
    ValueError
        "``name`` must be one of (...), got 'x'." with a "did you mean" for a close string.
    """
    allowed = tuple(options)
    try:
        ok = value in allowed
    except TypeError:  # an unhashable or incomparable value
        ok = False
    if ok:
        return value
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, [str(o) for o in allowed], n=1)
        if close:
            hint = f" Did you mean {close[0]!r}?"
    raise ValueError(f"{name} must be one of {allowed}, got {value!r}.{hint}")


def check_ci_level(ci_level: Any, *, name: str = "ci_level") -> float:
    """Return a confidence level as a float strictly between 0 and 1.

    Parameters
    ----------
    ci_level : float
        The confidence level of an interval, e.g. ``0.95``.
    name : str, default="ci_level"
        The parameter's name, for the message.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When ``ci_level`` is not a number in (0, 1); a value such as 95 gets a hint.
    """
    if isinstance(ci_level, bool) or not isinstance(ci_level, Real) or not 0 < ci_level < 1:
        hint = ""
        if isinstance(ci_level, Real) and 1 < ci_level < 100:
            hint = f" Write it as a fraction: {ci_level / 100:g}."
        raise ValueError(f"{name} must be in (0, 1), got {ci_level}.{hint}")
    return float(ci_level)


def check_int(
    name: str, value: Any, *, min_value: int | None = None, max_value: int | None = None
) -> int:
    """Return ``value`` as an ``int`` when it is an integer within bounds.

    Parameters
    ----------
    name : str
        The parameter's name, for the message.
    value : int
        The value passed (a bool is refused).
    min_value, max_value : int or None, default=None
        Inclusive bounds; None means unbounded.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        When ``value`` is not an integer.
    ValueError
        When it is out of bounds.
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__}).")
    if min_value is not None and value < min_value:
        raise ValueError(f"{name} must be >= {min_value}, got {value}.")
    if max_value is not None and value > max_value:
        raise ValueError(f"{name} must be <= {max_value}, got {value}.")
    return int(value)


def require_columns(
    table: pd.DataFrame,
    columns: Sequence[str],
    *,
    what: str,
    hint: str = "",
    noun: str = "table",
    nonempty: bool = False,
) -> None:
    """Raise ``ValueError`` when ``table`` lacks ``columns`` (or, optionally, has no rows).

    The one column check every stage uses, so that all say the same thing.

    Parameters
    ----------
    table : DataFrame
        Any tidy table: a corpus, a trends table, a dyad panel...
    columns : sequence of str
        The columns needed.
    what : str
        Who needs them (a function or table name), for the message.
    hint : str, default=""
        A sentence on how to fix it, appended to the message.
    noun : str, default="table"
        What the table is called in the message ("corpus table", "panel"...).
    nonempty : bool, default=False
        Also refuse a table without rows.

    Returns
    -------
    None
    """
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{what}: the {noun} has no column(s) {missing}; its columns are "
            f"{list(table.columns)}.{' ' + hint if hint else ''}"
        )
    if nonempty and table.empty:
        raise ValueError(f"{what}: the {noun} is empty; there is nothing to do with it.")


def renamed_parameters(**old_to_new: str) -> Callable[[F], F]:
    """Decorate a function so that renamed keyword arguments keep working for one release.

    ``@renamed_parameters(ci="ci_level")`` lets callers still write ``ci=0.9``: the value
    is passed on as ``ci_level`` with a :class:`~toolkit.exceptions.FptkDeprecationWarning`
    that names the new spelling. Passing both spellings is an error.

    Parameters
    ----------
    **old_to_new : str
        Old keyword name -> new keyword name.

    Returns
    -------
    callable
        A decorator.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(
                            f"{func.__name__}() got both {old!r} and {new!r}; {old!r} is the "
                            f"deprecated name of {new!r}: pass only {new!r}."
                        )
                    warnings.warn(
                        f"{func.__name__}(): {old!r} is deprecated and will be removed in "
                        f"the next release; use {new!r}.",
                        FptkDeprecationWarning,
                        stacklevel=2,
                    )
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
