"""Where Dask work runs: a ``dask.distributed`` client, a scheduler address, or this process.

The functions that accept a Dask DataFrame (``load_corpus(..., engine="dask")``,
``count_matches``, ``keyword_trends``, ``build_dtm``) take ``client=``: a
:class:`dask.distributed.Client`, the address of a running scheduler
(``"tcp://10.0.0.5:8786"``) or None. None reads the ``FPTK_DASK_SCHEDULER`` environment
variable (``fptk --scheduler`` sets it), and without it the work runs on Dask's local
threaded scheduler in this process, with no cluster at all.

Dask is imported only when a function here needs it, so ``import toolkit`` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

__all__ = [
    "SCHEDULER_ENV",
    "compute",
    "get_client",
    "is_dask",
    "scheduler_address",
]

#: The environment variable naming the scheduler every fptk function uses by default.
SCHEDULER_ENV = "FPTK_DASK_SCHEDULER"

#: Clients opened here from an address, one per address (closed when the process ends).
_CLIENTS: dict[str, Any] = {}


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError(
            "Running on a Dask cluster needs the 'distributed' package: "
            "pip install 'dask[dataframe]' distributed (both are fptk dependencies)."
        ) from exc
    return distributed


def is_dask(obj: Any) -> bool:
    """Whether ``obj`` is a Dask collection (a Dask DataFrame, Series, Bag, Array...).

    Never imports Dask: an object can only be a Dask collection if Dask is loaded.

    Parameters
    ----------
    obj : object
        Anything.

    Returns
    -------
    bool
        True for a Dask collection, False otherwise (pandas tables included).
    """
    import sys

    if "dask" not in sys.modules:
        return False
    from dask import is_dask_collection

    return bool(is_dask_collection(obj))


def scheduler_address(scheduler: str | None = None) -> str | None:
    """The scheduler address to use: ``scheduler``, else ``FPTK_DASK_SCHEDULER``, else None.

    Parameters
    ----------
    scheduler : str or None, default=None
        An address such as ``"tcp://127.0.0.1:8786"``.

    Returns
    -------
    str or None
        The address (stripped), or None when neither is set (a blank variable counts as
        unset).

    Raises
    ------
    ValueError
        If the address has no ``host:port`` form (the message names where it came from).
    """
    where = "scheduler="
    if scheduler is None:
        scheduler = os.environ.get(SCHEDULER_ENV)
        where = f"{SCHEDULER_ENV}="
    if scheduler is None or not str(scheduler).strip():
        return None
    address = str(scheduler).strip()
    rest = address.split("://", 1)[-1]
    if ":" not in rest or not rest.rsplit(":", 1)[1].isdigit():
        raise ValueError(
            f"{where}{address!r} is not a scheduler address; give host and port, e.g. "
            "'tcp://127.0.0.1:8786' (the address `dask scheduler` prints)."
        )
    return address


def get_client(client: Any = None, *, scheduler: str | None = None,
               timeout: float = 10.0) -> Any:
    """Resolve where Dask work runs.

    Parameters
    ----------
    client : dask.distributed.Client, str or None, default=None
        A client (returned as it is), or a scheduler address (as ``scheduler``).
    scheduler : str or None, default=None
        The address of a running scheduler. None reads ``FPTK_DASK_SCHEDULER``.
    timeout : float, default=10.0
        Seconds to wait for the scheduler to answer.

    Returns
    -------
    dask.distributed.Client or None
        A client connected to the scheduler (one per address and process, reused), or
        None: run on Dask's local threaded scheduler in this process.

    Raises
    ------
    TypeError
        If ``client`` is neither a Client, an address nor None.
    OSError
        If no scheduler answers at the address within ``timeout`` (the message says how to
        start one, or to unset ``FPTK_DASK_SCHEDULER``).
    """
    if client is not None and not isinstance(client, str):
        distributed = _import_distributed()
        if not isinstance(client, distributed.Client):
            raise TypeError(
                f"client must be a dask.distributed.Client, a scheduler address or None, "
                f"got {type(client).__name__}."
            )
        return client
    address = scheduler_address(client if isinstance(client, str) else scheduler)
    if address is None:
        return None
    known = _CLIENTS.get(address)
    if known is not None and known.status == "running":
        return known
    distributed = _import_distributed()
    try:
        made = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise OSError(
            f"No Dask scheduler answered at {address} within {timeout:g} s ({exc}). Start "
            "one with `dask scheduler` and workers with `dask worker <address>`, or unset "
            f"{SCHEDULER_ENV} to run in this process."
        ) from exc
    _CLIENTS[address] = made
    return made


def compute(*collections: Any, client: Any = None) -> Sequence[Any]:
    """Compute Dask collections on ``client`` (see :func:`get_client`) and return them.

    Parameters
    ----------
    *collections : Dask collections or delayed objects
        Computed together, so shared inputs are read once.
    client : dask.distributed.Client, str or None, default=None
        Where to run; None reads ``FPTK_DASK_SCHEDULER``, else the local threaded scheduler.

    Returns
    -------
    tuple
        The computed values, in order.
    """
    import dask

    resolved = get_client(client)
    return dask.compute(*collections, scheduler="threads" if resolved is None else resolved)
