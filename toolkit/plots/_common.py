"""What every plotting function shares: checking the tidy table it was given."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

__all__ = ["require_columns"]


def require_columns(table: pd.DataFrame, columns: Sequence[str], *, what: str) -> None:
    """Raise ``ValueError`` when ``table`` lacks ``columns`` or has no rows.

    Parameters
    ----------
    table : DataFrame
        The tidy input of a plotting function.
    columns : sequence of str
        The columns it needs.
    what : str
        The plotting function's name, for the message.
    """
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{what}: the table has no column(s) {missing}; its columns are "
            f"{list(table.columns)}. Pass the output of the function its docstring names."
        )
    if table.empty:
        raise ValueError(f"{what}: the table is empty; there is nothing to plot.")
