"""The caches several notebooks share, built once before parallel kernels start.

Two kernels that start cold on the same corpus would each build the same corpus table
and document-term matrix at the same time, each holding the whole build in its memory
(on the full UNGDC: two copies of a matrix build, several GB). :func:`prebuild_shared`
(called by :func:`toolkit.report.build_reports` before it starts two or more kernels)
builds each shared cache once, one at a time, each in its own child process, so that
neither the report process nor any kernel keeps that memory; the kernels then read the
caches. The caches are content-keyed (:mod:`toolkit.cache`), so a notebook reads exactly
what it would have built itself: results do not depend on whether this ran.

A notebook declares what it shares in its metadata, ``metadata["fptk"]["shared_caches"]``
(see :func:`shared_caches`).
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from toolkit.config import PACKAGE_DIR

__all__ = ["ARROW_POOL_ENV", "SHARED_UNITS", "build_shared", "prebuild_shared", "shared_caches"]

#: Units of a shared document-term matrix: the documents, or their paragraphs
#: (``toolkit.text.split_passages(df, unit="paragraph", use_cache=True)``).
SHARED_UNITS = ("document", "paragraph")
#: Environment of the kernels and of the children building shared caches: Arrow allocates
#: with the system allocator, which returns freed memory at once (its default, jemalloc,
#: keeps it for a while: ~670 MB instead of ~260 MB after reading the UNGDC table).
ARROW_POOL_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system"}
#: Parameters of a notebook that a shared matrix is built with.
DTM_PARAMETERS = ("min_df", "max_df", "max_terms")


def _declared_defaults(path: Path) -> dict[str, Any]:
    """The default values of a notebook's parameters cell (those that are Python literals)."""
    import papermill as pm

    out: dict[str, Any] = {}
    for name, spec in pm.inspect_notebook(str(path)).items():
        with contextlib.suppress(ValueError, SyntaxError, TypeError):
            out[name] = ast.literal_eval(str(spec["default"]))
    return out


def shared_caches(path: str | os.PathLike, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The caches a notebook shares with others, with the arguments it will build them with.

    A notebook that declares a ``corpus`` parameter shares the corpus table (what
    ``report.load_corpus(corpus)`` reads). It declares more in its metadata,
    ``metadata["fptk"]["shared_caches"]``: a list of ``{"kind": "dtm", "unit":
    "document"}`` (``features.build_dtm(df, min_df=, max_df=, max_terms=)`` with the
    notebook's parameters, ``min_df`` adapted by :func:`toolkit.report.choose_min_df`,
    ``df = report.load_corpus(corpus, years=years)``) or ``{"kind":
    "dtm", "unit": "paragraph"}`` (the same on ``split_passages(df, unit="paragraph",
    use_cache=True)``, which caches the paragraphs too).

    Parameters
    ----------
    path : str or path-like
        The notebook file.
    params : mapping
        The parameters it is executed with; those missing take the notebook's defaults.

    Returns
    -------
    list of dict
        One task per cache, JSON-able: ``kind`` (``"corpus"`` first, then ``"dtm"``),
        ``corpus``, ``years`` and, for ``"dtm"``, ``unit``, ``min_df``, ``max_df``,
        ``max_terms``. Empty for a notebook without a ``corpus`` parameter.

    Raises
    ------
    ValueError
        For an entry that is not a known kind and unit, naming the notebook.
    """
    import nbformat

    path = Path(path)
    meta = nbformat.read(str(path), as_version=4).metadata.get("fptk") or {}
    values = {**_declared_defaults(path), **dict(params)}
    if "corpus" not in values:
        return []
    tasks: list[dict[str, Any]] = [{"kind": "corpus", "corpus": values["corpus"], "years": None}]
    for spec in meta.get("shared_caches") or []:
        unit = spec.get("unit") if isinstance(spec, Mapping) else None
        if not isinstance(spec, Mapping) or spec.get("kind") != "dtm" or unit not in SHARED_UNITS:
            raise ValueError(
                f"{path.name}: metadata fptk.shared_caches holds {spec!r}; an entry is "
                f'{{"kind": "dtm", "unit": u}} with u one of {list(SHARED_UNITS)}.'
            )
        tasks.append({"kind": "dtm", "corpus": values["corpus"], "years": values.get("years"),
                      "unit": unit, **{k: values.get(k) for k in DTM_PARAMETERS}})
    return tasks


def build_shared(task: Mapping[str, Any]) -> dict[str, Any]:
    """Build one shared cache in this process, as the notebooks would.

    The corpus is loaded the way the notebooks load it (:func:`toolkit.report.load_corpus`),
    so the cache keys are the ones they ask for.

    Parameters
    ----------
    task : mapping
        One entry of :func:`shared_caches`.

    Returns
    -------
    dict
        ``shape``: rows and columns of the corpus table or of the matrix; for a matrix also
        ``min_df``, the one used (the parameter, or lower on few rows).
    """
    from toolkit import features
    from toolkit.report.matrix_choice import choose_min_df
    from toolkit.report.notebook import load_corpus
    from toolkit.text import split_passages

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = load_corpus(task["corpus"], years=task["years"])
        if task["kind"] != "dtm":
            return {"shape": list(df.shape)}
        if task["unit"] == "paragraph":
            # Texts as Python strings: split_passages turns an Arrow-backed text column into
            # a fixed-width NumPy array (astype(str): every speech padded to the longest,
            # 5.9 GB on UNGDC). The cache key does not depend on the storage (same key,
            # same paragraphs as the notebooks' call).
            df = split_passages(df.assign(text=df["text"].astype(object)), unit="paragraph",
                                use_cache=True)
        min_df = choose_min_df(task["min_df"], len(df))[0]  # as the notebooks adapt it
        dtm = features.build_dtm(df, min_df=min_df, max_df=task["max_df"],
                                 max_terms=task["max_terms"], progress=False)
    return {"shape": list(dtm.matrix.shape), "min_df": min_df}


def _child_main(task_json: str) -> None:
    """Entry point of the child process: build one cache, print the result and the peak."""
    info = build_shared(json.loads(task_json))
    with open("/proc/self/status", encoding="ascii") as fh:  # Linux: this process's peak
        hwm = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), 0)
    print(json.dumps({**info, "peak_rss_mb": round(hwm / 1024)}))


def describe_task(task: Mapping[str, Any]) -> str:
    """A short description of a shared cache for the console.

    Parameters
    ----------
    task : mapping
        One entry of :func:`shared_caches`.

    Returns
    -------
    str
        E.g. ``"paragraph-term matrix of 'auto' (min_df=20, max_df=0.5, max_terms=20000)"``.
    """
    years = f", years {task['years']}" if task.get("years") else ""
    if task["kind"] == "corpus":
        return f"corpus {task['corpus']!r}"
    return (f"{task['unit']}-term matrix of {task['corpus']!r}{years} (min_df={task['min_df']}, "
            f"max_df={task['max_df']}, max_terms={task['max_terms']})")


def prebuild_shared(
    notebooks: Iterable[tuple[str | os.PathLike, Mapping[str, Any]]], *, echo: bool = True
) -> list[dict[str, Any]]:
    """Build the caches the notebooks share, one at a time, each in its own process.

    A failure is not raised: the notebook that needs the cache builds it, or reports the
    error in context.

    Parameters
    ----------
    notebooks : iterable of (path, params)
        The notebooks about to run and their parameters.
    echo : bool, default=True
        Print one line per cache (time and the child's peak resident memory) or its error.

    Returns
    -------
    list of dict
        One per distinct cache: the task, ``seconds``, ``ok`` and, when ok, ``shape`` and
        ``peak_rss_mb``; else ``error`` (the child's last line of stderr).
    """
    tasks: dict[str, dict[str, Any]] = {}
    for path, params in notebooks:
        for task in shared_caches(path, params):
            tasks.setdefault(json.dumps(task, sort_keys=True, default=str), task)
    env = {**os.environ, **ARROW_POOL_ENV}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PACKAGE_DIR.parent), env.get("PYTHONPATH")) if p)
    code = "import sys; from toolkit.report.shared import _child_main; _child_main(sys.argv[1])"
    done = []
    for key in sorted(tasks, key=lambda k: tasks[k]["kind"] != "corpus"):  # stable
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code, key], env=env, capture_output=True,
                              text=True, check=False)
        record: dict[str, Any] = {"task": tasks[key], "seconds": time.perf_counter() - t0,
                                  "ok": proc.returncode == 0}
        what = describe_task(tasks[key])
        if record["ok"]:
            record.update(json.loads(proc.stdout.strip().splitlines()[-1]))
            if record.get("min_df", tasks[key].get("min_df")) != tasks[key].get("min_df"):
                what += (f", min_df lowered to {record['min_df']} for "
                         f"{record['shape'][0]:,} {tasks[key]['unit']}s")
            msg = (f"[report] {what} ready in {record['seconds']:.1f} s (peak "
                   f"{record['peak_rss_mb']:,} MB resident)")
        else:
            record["error"] = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            msg = f"[report] could not pre-build the {what}: {record['error']}"
        if echo:
            print(msg, flush=True)
        done.append(record)
    return done
