"""Build the reports: execute the notebooks, render them to HTML, write the index page.

:func:`build_reports` (behind ``fptk report`` and ``make report``) executes every notebook
with papermill into ``build/`` (never back into ``notebooks/``) with the parameters of
``reports.yml`` (:func:`load_config`), renders each with nbconvert into one
self-contained HTML file in ``reports/`` (:func:`toolkit.report.render.render_html`:
images embedded as data URIs, no script or style loaded from the network, warnings
folded), and writes ``reports/index.html`` (:func:`toolkit.report.index.write_index`,
from a Jinja2 template), which summarises the findings, links the reports and states the
provenance and run time of each notebook. A notebook whose inputs
(:func:`input_key`) are unchanged since its last successful build is reused.

Layout of ``reports/``::

    index.html            findings, links, provenance, timings
    manifest.json         the same, machine-readable
    <notebook>.html       one self-contained report per notebook
    <notebook>/findings.json, provenance.json, tables/*.csv

What the notebooks themselves call is :mod:`toolkit.report.notebook`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hashlib
import json
import os
import shutil
import time
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from toolkit import corpora, provenance
from toolkit.cache import atomic_path
from toolkit.config import PACKAGE_DIR, get_data_home, get_external_home, project_root
from toolkit.exceptions import FptkDeprecationWarning, ReportBuildError
from toolkit.report.index import write_index
from toolkit.report.render import render_html
from toolkit.report.shared import ARROW_POOL_ENV, prebuild_shared

__all__ = [
    "CONFIG_KEYS",
    "GLOBAL_PARAMS",
    "RENDER_DEFAULTS",
    "build_reports",
    "find_notebooks",
    "input_key",
    "load_config",
    "notebook_parameters",
]

#: Top-level keys of ``reports.yml`` and their defaults.
CONFIG_KEYS: dict[str, Any] = {
    "corpus": "auto",
    "years": None,
    "period": None,
    "actors": None,
    "preferred_actors": None,
    "seed": 0,
    "render": {},
    "notebooks": {},
}
#: Parameters every notebook may declare and receive from the top of ``reports.yml``.
#: ``period`` (how documents are grouped in time, the vocabulary of :mod:`toolkit.periods`)
#: reaches a notebook only when set: null leaves the notebook's own default.
GLOBAL_PARAMS = ("corpus", "years", "period", "actors", "preferred_actors", "seed")
#: Command-line options of every kernel a build starts: the kernel's own log (the
#: "running over TCP without encryption" warning, "KeyboardInterrupt caught in kernel" at
#: shutdown) stays silent. Errors of the notebook's code still reach the run record and the
#: report, through the notebook's outputs.
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=CRITICAL",)
#: Options of the ``render:`` section and their defaults.
RENDER_DEFAULTS: dict[str, Any] = {
    "exclude_input": True,
    "timeout": 1200,
    "kernel_name": "python3",
    "jobs": 1,
    "reuse": True,
}


# ---------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------


def _default_config_path() -> Path | None:
    root = project_root()
    return (root / "reports.yml") if root is not None else None


def _is_year_range(value: Any) -> bool:
    """Whether a ``period`` value is the old year filter (null or ``[y0, y1]``)."""
    return value is None or (isinstance(value, (list, tuple)) and not isinstance(value, str))


def _renamed_years(mapping: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """``mapping`` with a ``period`` given as a year range renamed ``years`` (with a warning).

    A ``period`` that is a string or an integer (``"M"``, ``"decade"``, ``5``) is the
    grouping period and stays.
    """
    out = dict(mapping)
    if "period" not in out or not _is_year_range(out["period"]):
        return out
    if out["period"] is None and "years" in out:  # "period: null" beside "years": no grouping set
        del out["period"]
        return out
    if "years" in out:
        raise ValueError(
            f"{where}: both 'period' and 'years' are given as year ranges; a year range under "
            "'period' is the deprecated name of 'years': keep only 'years'."
        )
    warnings.warn(
        f"{where}: 'period' is deprecated as the year range and will be removed in the next "
        "release; use 'years' (the year filter). 'period' is how documents are grouped in "
        "time: 'M', 'Q', 'year', 'decade' or a number of years.",
        FptkDeprecationWarning,
        stacklevel=3,
    )
    out["years"] = out.pop("period")
    return out


def _read_config(config: str | os.PathLike | Mapping[str, Any] | None) -> tuple[Any, str]:
    """The raw configuration and where it came from."""
    if config is None:
        path = _default_config_path()
        if path is None or not path.is_file():
            return {}, "<defaults>"
        config = path
    if isinstance(config, Mapping):
        return dict(config), "<mapping>"
    import yaml

    path = Path(config)
    if not path.is_file():
        raise FileNotFoundError(
            f"Report configuration {path} does not exist. Pass an existing YAML file "
            "(see reports.yml at the project root for the keys)."
        )
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}, str(path)


def _is_codes(value: Any) -> bool:
    """Whether ``value`` is null or a list of codes (not one string)."""
    return value is None or (isinstance(value, (list, tuple)) and not isinstance(value, str))


def _check_config(cfg: dict[str, Any], source: str) -> None:
    """Raise a ValueError naming ``source`` and the key for a malformed value."""
    years = cfg["years"]
    if years is not None and not (
        isinstance(years, (list, tuple)) and len(years) == 2
        and all(p is None or isinstance(p, int) for p in years)
    ):
        raise ValueError(
            f"{source}: years must be null or [first_year, last_year] (integers or null), "
            f"got {years!r}."
        )
    period = cfg["period"]
    if period is not None and not (
        (isinstance(period, str) and period.strip())
        or (isinstance(period, int) and not isinstance(period, bool) and period >= 1)
    ):
        raise ValueError(
            f"{source}: period must be null, a name ('M', 'Q', 'year', 'decade', a pandas "
            f"frequency or a column) or a number of years >= 1, got {period!r}. For the "
            "year filter use years: [first_year, last_year]."
        )
    for key in ("actors", "preferred_actors"):
        if not _is_codes(cfg[key]):
            raise ValueError(f"{source}: {key} must be null or a list of codes, got {cfg[key]!r}.")
    if cfg["seed"] is not None and not isinstance(cfg["seed"], int):
        raise ValueError(f"{source}: seed must be an integer, got {cfg['seed']!r}.")
    if not isinstance(cfg["notebooks"], Mapping) or not all(
        isinstance(v, Mapping) or v is None for v in cfg["notebooks"].values()
    ):
        raise ValueError(
            f"{source}: notebooks must map a notebook name to a mapping of parameters."
        )
    bad = sorted(set(cfg["render"] or {}) - set(RENDER_DEFAULTS))
    if bad:
        raise ValueError(
            f"{source}: unknown render option(s) {bad}; known: {sorted(RENDER_DEFAULTS)}."
        )


def load_config(config: str | os.PathLike | Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Read and check the run parameters (``reports.yml``).

    Parameters
    ----------
    config : str or path-like or mapping or None, default=None
        A YAML file, an already parsed mapping, or None for ``reports.yml`` at the
        project root (defaults only when there is none). ``period`` is how the
        notebooks group documents in time (``"M"``, ``"Q"``, ``"year"``, ``"decade"``,
        a number of years; null: each notebook chooses from the corpus's span). A
        ``period`` that is a year range ``[first, last]`` is the old name of ``years``
        and still works for one release, with a
        :class:`~toolkit.exceptions.FptkDeprecationWarning`.

    Returns
    -------
    dict
        Keys of :data:`CONFIG_KEYS`, defaults filled in; ``render`` completed with
        :data:`RENDER_DEFAULTS`; ``source`` names where it came from.

    Raises
    ------
    FileNotFoundError
        When an explicit file does not exist.
    ValueError
        On an unknown key or a malformed value, naming the file and the key.
    """
    raw, source = _read_config(config)
    if not isinstance(raw, Mapping):
        raise ValueError(f"{source}: the report configuration must be a mapping of keys.")
    raw = _renamed_years(raw, where=source)
    unknown = sorted(set(raw) - set(CONFIG_KEYS))
    if unknown:
        raise ValueError(
            f"{source}: unknown key(s) {unknown}. Known keys: {sorted(CONFIG_KEYS)}; put "
            "parameters of one notebook under notebooks: <name>: {...}."
        )
    cfg = {**{k: (dict(v) if isinstance(v, dict) else v) for k, v in CONFIG_KEYS.items()}, **raw}
    _check_config(cfg, source)
    cfg["notebooks"] = {str(k): dict(v or {}) for k, v in cfg["notebooks"].items()}
    cfg["render"] = {**RENDER_DEFAULTS, **dict(cfg["render"] or {})}
    cfg["source"] = source
    return cfg


# ---------------------------------------------------------------------------
# notebooks and their parameters
# ---------------------------------------------------------------------------


def _notebooks_dir() -> Path:
    root = project_root()
    if root is None:
        raise FileNotFoundError(
            "No notebooks/ folder: fptk is not running from a checkout. Pass notebooks_dir=."
        )
    return root / "notebooks"


def find_notebooks(
    notebooks: Iterable[str] | None = None, *, notebooks_dir: str | os.PathLike | None = None
) -> list[Path]:
    """Return the notebooks to run, in name order.

    Parameters
    ----------
    notebooks : iterable of str or None, default=None
        Names, stems or prefixes (``"00"``, ``"01-keyword-trends"``); None runs all.
    notebooks_dir : str or path-like or None, default=None
        Default: ``notebooks/`` of the checkout.

    Returns
    -------
    list of Path
        The notebook files, sorted by name.

    Raises
    ------
    FileNotFoundError
        When the folder holds no notebook.
    ValueError
        When a name or prefix matches no notebook or several.
    """
    folder = Path(notebooks_dir) if notebooks_dir is not None else _notebooks_dir()
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not found:
        raise FileNotFoundError(f"No notebooks (*.ipynb) in {folder}.")
    if notebooks is None:
        return found
    chosen: list[Path] = []
    for want in notebooks:
        stem = Path(want).name.removesuffix(".ipynb")
        hits = [p for p in found if p.stem == stem] or [p for p in found if p.stem.startswith(stem)]
        if len(hits) != 1:
            raise ValueError(
                f"Notebook {want!r} matches {len(hits)} of {[p.stem for p in found]}; "
                "give a unique name or prefix."
            )
        if hits[0] not in chosen:
            chosen.append(hits[0])
    return sorted(chosen)


def notebook_parameters(path: str | os.PathLike) -> dict[str, Any]:
    """Return the parameters a notebook declares in its cell tagged ``parameters``.

    Parameters
    ----------
    path : str or path-like
        A notebook file.

    Returns
    -------
    dict
        Parameter name -> papermill's description (``name``, ``inferred_type_name``,
        ``default`` as source text, ``help`` from the comment).
    """
    import papermill as pm

    return dict(pm.inspect_notebook(str(path)))


def _parameters_for(
    path: Path, cfg: Mapping[str, Any], overrides: Mapping[str, Any], output_dir: Path
) -> dict[str, Any]:
    declared = notebook_parameters(path)
    stem = path.stem
    per_nb = dict(cfg["notebooks"].get(stem, {}))
    for key, value in overrides.items():
        if "." in key:
            nb, _, name = key.partition(".")
            if nb == stem:
                per_nb[name] = value
    unknown = sorted(set(per_nb) - set(declared))
    if unknown:
        raise ValueError(
            f"{cfg['source']}: notebooks: {stem}: parameter(s) {unknown} are not declared in "
            f"the parameters cell of {path.name}; it declares {sorted(declared)}."
        )
    params: dict[str, Any] = {}
    for key in GLOBAL_PARAMS:
        if key in declared:
            value = overrides.get(key, cfg[key])
            if key != "period" or value is not None:
                params[key] = value
    params.update(per_nb)
    if "output_dir" in declared:
        params["output_dir"] = str(output_dir)
    return params


# ---------------------------------------------------------------------------
# executed notebooks
# ---------------------------------------------------------------------------


def _count_figures(nb) -> int:
    n = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if any(k.startswith("image/") for k in data):
                n += 1
    return n


def _error_of(nb) -> str | None:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"{out.get('ename')}: {out.get('evalue')}"
    return None


@contextlib.contextmanager
def _kernel_env() -> Iterator[None]:
    """Environment for the notebook kernels: inline figures, no progress bars, lean memory."""
    wanted = {
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "TQDM_DISABLE": "1",
        # Arrow's default pool (jemalloc) keeps freed pages: a kernel that has read the UNGDC
        # table holds ~670 MB instead of ~260 MB (issue 14). The allocator changes no value.
        **ARROW_POOL_ENV,
        # tqdm.auto warns in a kernel without ipywidgets; progress bars are off anyway.
        "PYTHONWARNINGS": "ignore:IProgress not found",
    }
    saved = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _run_one(
    path: Path, params: Mapping[str, Any], *, build_dir: Path, render: Mapping[str, Any]
) -> dict[str, Any]:
    import papermill as pm

    out_nb = build_dir / f"{path.stem}.ipynb"
    started = _dt.datetime.now(_dt.UTC)
    t0 = time.perf_counter()
    error = None
    try:
        pm.execute_notebook(
            str(path),
            str(out_nb),
            parameters=dict(params),
            kernel_name=render["kernel_name"],
            cwd=str(path.parent),
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=render["timeout"],
            extra_arguments=list(KERNEL_ARGUMENTS),
        )
    except Exception as exc:
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc) else ''}"
    seconds = time.perf_counter() - t0
    return {
        "notebook": path.stem,
        "source": path.name,
        "executed": str(out_nb),
        "started": started.isoformat(timespec="seconds"),
        "seconds": round(seconds, 2),
        "status": "failed" if error else "ok",
        "error": error,
        "params": {k: v for k, v in params.items() if k != "output_dir"},
    }


def _tree_stats(folder: Path, *, depth: int = 3) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of the files under ``folder`` (hidden entries skipped)."""
    out: list[tuple[str, int, int]] = []
    if not folder.is_dir():
        return out
    stack = [(folder, 0)]
    while stack:
        current, level = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=True) and level < depth:
                stack.append((Path(entry.path), level + 1))
            elif entry.is_file(follow_symlinks=True):
                st = entry.stat()
                out.append((str(Path(entry.path).relative_to(folder)), st.st_size,
                            st.st_mtime_ns))
    return sorted(out)


def input_key(path: str | os.PathLike, params: Mapping[str, Any], *,
              render: Mapping[str, Any] | None = None) -> str:
    """Hash everything a notebook's report depends on.

    The notebook file, its parameters, the render options, every file of the
    ``toolkit`` package (code, dictionaries, cards), the installed versions of the
    main packages, and the files of the data home and the external-data home (name,
    size and modification time). Two runs with the same key produce the same report,
    so :func:`build_reports` may reuse the earlier one.

    Parameters
    ----------
    path : str or path-like
        The notebook file.
    params : mapping
        The parameters it is executed with.
    render : mapping or None, default=None
        The render options (``render:`` of ``reports.yml``).

    Returns
    -------
    str
        A SHA-256 hex digest.
    """
    h = hashlib.sha256()
    h.update(Path(path).read_bytes())
    h.update(json.dumps({"params": params, "render": dict(render or {})}, sort_keys=True,
                        default=str).encode())
    for file in sorted(PACKAGE_DIR.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
            h.update(str(file.relative_to(PACKAGE_DIR)).encode())
            h.update(file.read_bytes())
    h.update(json.dumps(provenance.package_versions(), sort_keys=True).encode())
    for home in (get_data_home(), get_external_home()):
        h.update(str(home).encode())
        h.update(json.dumps(_tree_stats(home)).encode())
    return h.hexdigest()


def _reusable(path: Path, key: str, *, build_dir: Path, out: Path) -> dict[str, Any] | None:
    """The stored run of an earlier build with the same input key, if its files are intact."""
    import nbformat

    executed = build_dir / f"{path.stem}.ipynb"
    if not (executed.is_file() and (out / f"{path.stem}.html").is_file()
            and (out / path.stem / "findings.json").is_file()):
        return None
    try:
        meta = nbformat.read(str(executed), as_version=4).metadata.get("fptk") or {}
    except Exception:  # an unreadable notebook is simply rebuilt
        return None
    run = meta.get("run")
    if meta.get("input_key") != key or not run or run.get("status") != "ok":
        return None
    return dict(run)


def _stamp(run: Mapping[str, Any], key: str) -> None:
    """Store the input key and the run record in the executed notebook's metadata."""
    import nbformat

    executed = Path(run["executed"])
    if not executed.is_file():
        return
    nb = nbformat.read(str(executed), as_version=4)
    nb.metadata["fptk"] = {"input_key": key, "run": dict(run)}
    with atomic_path(executed) as tmp:
        nbformat.write(nb, str(tmp))


def _finish_run(run: dict[str, Any], *, out: Path, exclude_input: bool) -> None:
    """Count figures, find the error cell and render the HTML of an executed notebook."""
    import nbformat

    executed = Path(run["executed"])
    run["side_dir"] = run["notebook"]
    if not executed.is_file():
        run["n_figures"], run["html"] = 0, None
        return
    nb = nbformat.read(str(executed), as_version=4)
    run["n_figures"] = _count_figures(nb)
    run["error"] = run["error"] and (_error_of(nb) or run["error"])
    run["html"] = render_html(executed, out / f"{run['notebook']}.html",
                              exclude_input=exclude_input).name

# ---------------------------------------------------------------------------
# a corpus given as a table or a path
# ---------------------------------------------------------------------------


def _is_corpus_path(value: Any) -> bool:
    """Whether ``value`` names a corpus by path (not ``"auto"`` nor a registered name)."""
    if isinstance(value, os.PathLike):
        return True
    if not isinstance(value, str) or value == "auto":
        return False
    return value not in set(corpora.list_corpora()["name"])


def _stage_corpus(corpus: Any, *, build: Path, echo: bool) -> Any:
    """A corpus given as a DataFrame or a path, written once as Parquet; else ``corpus``.

    The table (a DataFrame as given, a path loaded once with
    :func:`toolkit.corpora.load_corpus`) goes to
    ``<build>/corpus/<fingerprint>/<name>.parquet``, atomically; a table with the same
    fingerprint (every column, every value) is not written again. The notebooks receive the
    absolute path, so a path relative to where ``fptk`` was started works too.
    """
    import pandas as pd

    from toolkit.cache import frame_fingerprint, write_frame

    if isinstance(corpus, pd.DataFrame):
        df, name = corpus, (corpus.attrs.get("corpus") or {}).get("name") or "corpus"
    elif _is_corpus_path(corpus):
        df = corpora.load_corpus(corpus)
        name = Path(str(corpus)).name.split(".")[0] or "corpus"
    else:
        return corpus
    missing = [c for c in ("doc_id", "text") if c not in df.columns]
    if missing:
        raise ValueError(
            f"The corpus table lacks the column(s) {missing}; a corpus has one row per "
            "document with doc_id and text (see toolkit.corpora.standardize_columns)."
        )
    fingerprint = frame_fingerprint(df, columns=tuple(str(c) for c in df.columns))
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(name))
    target = build / "corpus" / fingerprint[:16] / f"{safe}.parquet"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            write_frame(df, tmp)
    if echo:
        print(f"[report] corpus: {len(df):,} documents in {target}", flush=True)
    return str(target.resolve())


# ---------------------------------------------------------------------------
# building
# ---------------------------------------------------------------------------


class _Job(NamedTuple):
    """One notebook of a build: its parameters, side folder, input key and reusable run."""

    path: Path
    params: dict[str, Any]
    side: Path
    key: str
    previous: dict[str, Any] | None


def _check_overrides(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overrides of a build, ``period`` renamed ``years``; unknown global keys raise."""
    overrides = _renamed_years(params or {}, where="override")
    for key in overrides:
        if "." not in key and key not in GLOBAL_PARAMS:
            raise ValueError(
                f"Unknown override {key!r}: use one of {list(GLOBAL_PARAMS)} or "
                "'<notebook>.<parameter>'."
            )
    return overrides


def _output_dirs(
    output_dir: str | os.PathLike, build_dir: str | os.PathLike, *, notebooks_folder: Path
) -> tuple[Path, Path]:
    """The report and build folders (relative to the project root), created."""
    base = project_root() or Path.cwd()
    out = Path(output_dir) if Path(output_dir).is_absolute() else base / output_dir
    build = Path(build_dir) if Path(build_dir).is_absolute() else base / build_dir
    src_dir = notebooks_folder.resolve()
    if build.resolve() == src_dir or out.resolve() == src_dir:
        raise ValueError(f"build_dir and output_dir must not be the notebooks folder {src_dir}.")
    out.mkdir(parents=True, exist_ok=True)
    build.mkdir(parents=True, exist_ok=True)
    return out, build


def _plan(
    paths: Iterable[Path],
    cfg: Mapping[str, Any],
    overrides: Mapping[str, Any],
    *,
    out: Path,
    build: Path,
    render: Mapping[str, Any],
    reuse: bool,
) -> list[_Job]:
    """Parameters, input key and (with ``reuse``) the reusable earlier run of each notebook."""
    planned = [(path, _parameters_for(path, cfg, overrides, out / path.stem)) for path in paths]
    jobs = []
    for path, nb_params in planned:
        key = input_key(path, nb_params, render=render)
        previous = _reusable(path, key, build_dir=build, out=out) if reuse else None
        jobs.append(_Job(path, nb_params, out / path.stem, key, previous))
    return jobs


def _build_one(
    job: _Job, *, out: Path, build: Path, render: Mapping[str, Any], echo: bool
) -> dict[str, Any]:
    """Execute and render one notebook (or reuse its earlier run); return its run record."""
    path = job.path
    if job.previous is not None:
        previous = job.previous
        previous.update(reused=True)
        if echo:
            print(f"[report] {path.stem}: reused (inputs unchanged since "
                  f"{previous['started']}, which took {previous['seconds']:.1f} s)",
                  flush=True)
        return previous
    if job.side.exists():
        shutil.rmtree(job.side)
    job.side.mkdir(parents=True)
    if echo:
        print(f"[report] {path.stem} ...", flush=True)
    run = _run_one(path, job.params, build_dir=build, render=render)
    _finish_run(run, out=out, exclude_input=render["exclude_input"])
    run["reused"] = False
    _stamp(run, job.key)  # always, so that the next run may reuse it
    if echo:
        msg = f"[report] {path.stem}: {run['status']} in {run['seconds']:.1f} s"
        if run["error"]:
            msg += f" ({run['error']})"
        print(msg, flush=True)
    return run


def _is_heavy(path: Path) -> bool | str:
    """A notebook's ``metadata["fptk"]["heavy"]``: False, True or ``"alone"`` (see
    :func:`_run_scheduled`)."""
    import nbformat

    value = (nbformat.read(str(path), as_version=4).metadata.get("fptk") or {}).get("heavy")
    return "alone" if value == "alone" else bool(value)


def _may_start(weight: bool | str, running: list[bool | str]) -> bool:
    """Whether an item of ``weight`` may start beside items of the ``running`` weights."""
    if weight == "alone":
        return not running
    return "alone" not in running and not (weight and any(running))


def _run_scheduled(
    items: list[Any], run: Any, *, n_jobs: int, heavy: list[bool | str],
) -> list[Any]:
    """``[run(item) for item in items]``, ``n_jobs`` at a time, never two heavy items at once.

    Items start in their order, except that a heavy item waits while another heavy item
    runs and the next light one starts instead (a notebook is heavy when it holds much
    memory, e.g. 03 and 04 with their paragraph-term matrix: two of them side by side
    would double the peak of the report). An item marked ``"alone"`` (03, whose warm peak
    of ~1.5 GB beside any other kernel passed the 2 GB target) starts only when nothing
    runs, and nothing starts beside it. The results keep the order of ``items``.
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    results: list[Any] = [None] * len(items)
    pending = list(range(len(items)))
    running: dict[Any, int] = {}
    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        while pending or running:
            while len(running) < n_jobs:
                pick = next((i for i in pending
                             if _may_start(heavy[i], [heavy[j] for j in running.values()])),
                            None)
                if pick is None:
                    break
                pending.remove(pick)
                running[pool.submit(run, items[pick])] = pick
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                results[running.pop(future)] = future.result()
    return results


def _execute(
    jobs: list[_Job], *, n_jobs: int, out: Path, build: Path, render: Mapping[str, Any],
    echo: bool,
) -> list[dict[str, Any]]:
    """Run the jobs, ``n_jobs`` kernels at a time; the run records in the order of ``jobs``.

    Before two or more kernels start, the caches the notebooks share are built once, each
    in its own process (:func:`toolkit.report.shared.prebuild_shared`); heavy notebooks
    never run side by side (:func:`_run_scheduled`). Neither changes a result.
    """
    to_run = [job for job in jobs if job.previous is None]
    if n_jobs > 1 and len(to_run) > 1:
        prebuild_shared([(job.path, job.params) for job in to_run], echo=echo)
    one = functools.partial(_build_one, out=out, build=build, render=render, echo=echo)
    with _kernel_env():
        if n_jobs == 1 or len(jobs) == 1:
            return [one(job) for job in jobs]
        heavy = [job.previous is None and _is_heavy(job.path) for job in jobs]
        return _run_scheduled(jobs, one, n_jobs=n_jobs, heavy=heavy)


def _write_manifest(
    runs: list[dict[str, Any]], *, cfg: Mapping[str, Any], render: Mapping[str, Any],
    overrides: Mapping[str, Any], out: Path, seconds: float,
) -> dict[str, Any]:
    """Write ``manifest.json`` (runs, configuration, provenance, total time); return it."""
    manifest = {
        "runs": runs,
        "config": {k: v for k, v in cfg.items() if k != "render"} | {"render": render},
        "overrides": overrides,
        "provenance": provenance.collect(params={k: cfg[k] for k in GLOBAL_PARAMS}),
        "total_seconds": round(seconds, 2),
    }
    with atomic_path(out / "manifest.json") as tmp:
        tmp.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return manifest


def _conclude(
    manifest: Mapping[str, Any], *, out: Path, build: Path, echo: bool, raise_on_error: bool
) -> None:
    """Say how the build went; raise :class:`ReportBuildError` when a notebook failed."""
    runs = manifest["runs"]
    if echo:
        print(
            f"[report] {sum(r['status'] == 'ok' for r in runs)}/{len(runs)} notebooks ok in "
            f"{manifest['total_seconds']:.1f} s; open {out / 'index.html'}",
            flush=True,
        )
    failed = [r for r in runs if r["status"] != "ok"]
    if failed and raise_on_error:
        raise ReportBuildError(
            f"{len(failed)} of {len(runs)} notebooks failed: "
            + "; ".join(f"{r['notebook']} ({r['error']})" for r in failed)
            + f". Their partial reports are in {out}, the executed notebooks in {build}."
        )


def build_reports(
    *,
    corpus: Any = None,
    config: str | os.PathLike | Mapping[str, Any] | None = None,
    notebooks: Iterable[str] | None = None,
    output_dir: str | os.PathLike = "reports",
    build_dir: str | os.PathLike = "build",
    params: Mapping[str, Any] | None = None,
    exclude_input: bool | None = None,
    notebooks_dir: str | os.PathLike | None = None,
    raise_on_error: bool = True,
    echo: bool = True,
    jobs: int | None = None,
    reuse: bool | None = None,
) -> dict[str, Any]:
    """Execute the notebooks, render them to HTML and write the index page.

    Parameters
    ----------
    corpus : DataFrame or str or path-like or None, default=None
        The corpus of every notebook, overriding ``corpus`` of the config and of
        ``params``: a corpus table (one row per document, with ``doc_id`` and ``text``),
        a path (folder or table, as :func:`toolkit.corpora.load_corpus` takes), a
        corpus name or ``"auto"``. A table, or a path given here, in ``params`` or in the
        config, is written once as Parquet into ``<build_dir>/corpus/<fingerprint>/``
        and the notebooks read that file.
    config : str or path-like or mapping or None, default=None
        Run parameters (see :func:`load_config`); default ``reports.yml``.
    notebooks : iterable of str or None, default=None
        Which notebooks (names or prefixes); None runs all, in name order.
    output_dir : str or path-like, default="reports"
        Where the HTML, side files and ``index.html`` go. Relative paths are taken
        from the project root when running from a checkout, else the working folder.
    build_dir : str or path-like, default="build"
        Where executed notebooks go (never ``notebooks/``).
    params : mapping or None, default=None
        Overrides: a global parameter (one of :data:`GLOBAL_PARAMS`; ``period`` is
        the grouping period, except that a year range under ``period`` is the old name
        of ``years`` and still works for one release, with a warning)
        or ``"<notebook>.<name>"`` for one notebook.
    exclude_input : bool or None, default=None
        Hide code in the HTML; None uses ``render.exclude_input`` of the config.
    notebooks_dir : str or path-like or None, default=None
        Default ``notebooks/`` of the checkout.
    raise_on_error : bool, default=True
        Raise :class:`ReportBuildError` after writing everything when a notebook failed.
    echo : bool, default=True
        Print one line per notebook with its status and run time.
    jobs : int or None, default=None
        Notebooks executed at the same time (one kernel each); None uses
        ``render.jobs`` of the config (default 1). Results do not depend on it.
    reuse : bool or None, default=None
        Keep the report of a notebook whose inputs (see :func:`input_key`) are
        unchanged since its last successful build in ``build_dir`` instead of executing
        it again; the index marks it as reused and shows the original run time. None
        uses ``render.reuse`` of the config (default True); False re-executes all.

    Returns
    -------
    dict
        The manifest also written to ``<output_dir>/manifest.json``: ``runs`` (one
        dict per notebook: status, started, seconds, n_figures, html, params, error),
        ``config``, ``provenance``, ``total_seconds``.
    """
    t_all = time.perf_counter()
    cfg = load_config(config)
    overrides = _check_overrides(params)
    render = dict(cfg["render"])
    if exclude_input is not None:
        render["exclude_input"] = exclude_input
    paths = find_notebooks(notebooks, notebooks_dir=notebooks_dir)
    out, build = _output_dirs(output_dir, build_dir, notebooks_folder=paths[0].parent)
    if corpus is not None:
        overrides["corpus"] = corpus
    staged = _stage_corpus(overrides.get("corpus", cfg["corpus"]), build=build, echo=echo)
    if staged is not overrides.get("corpus", cfg["corpus"]):
        overrides["corpus"] = staged
    reuse = bool(render["reuse"] if reuse is None else reuse)
    plan = _plan(paths, cfg, overrides, out=out, build=build, render=render, reuse=reuse)
    runs = _execute(plan, n_jobs=max(1, int(jobs if jobs is not None else render["jobs"])),
                    out=out, build=build, render=render, echo=echo)
    manifest = _write_manifest(runs, cfg=cfg, render=render, overrides=overrides, out=out,
                               seconds=time.perf_counter() - t_all)
    write_index(out, manifest)
    _conclude(manifest, out=out, build=build, echo=echo, raise_on_error=raise_on_error)
    return manifest
