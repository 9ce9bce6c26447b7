"""The ``fptk`` command line (also ``python -m toolkit``).

Subcommands
-----------
``fptk corpora``
    List the known corpora and whether each is available here.
``fptk info NAME``
    A corpus's card, where it is, file sizes and checksums (and which known release
    they match), and its coverage (documents, years, actors) from loading it. ``NAME``
    may also be a path to your own folder or table.
``fptk fetch NAME``
    Put a corpus in the data home: use what is there, else download and verify it.
``fptk cache [--list | --clear [KIND]]``
    Show or delete the derived files in the cache folder (never the data home).
``fptk report``
    Execute the notebooks and render the HTML reports (:func:`toolkit.report.build_reports`).

``fptk --scheduler tcp://HOST:PORT COMMAND``
    Run the Dask work of the command (and of the report's notebooks) on that scheduler:
    it sets ``FPTK_DASK_SCHEDULER`` (see :mod:`toolkit.distributed`).

Every subcommand returns 0 on success and 1 on an error it can explain (printed to
stderr as ``fptk: error: ...``); bad arguments give 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from toolkit import __version__

__all__ = ["build_parser", "main"]


def _human(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.1f} GB"  # pragma: no cover


def _oneline(text: Any) -> str:
    return " ".join(str(text).split())


# --------------------------------------------------------------------------- corpora


def _cmd_corpora(args: argparse.Namespace) -> int:
    from toolkit.config import get_data_home
    from toolkit.corpora.registry import list_corpora

    table = list_corpora(data_home=args.data_home)
    print(f"Data home: {get_data_home(args.data_home)} (set FPTK_DATA_HOME to move it)")
    width = max(len(n) for n in table["name"])
    for row in table.itertuples(index=False):
        status = "embedded" if row.embedded else ("available" if row.available else "missing")
        where = row.path if row.available else f"run `fptk fetch {row.name}`"
        print(f"  {row.name:<{width}}  {status:<9}  {row.title}")
        print(f"  {'':<{width}}  {'':<9}  {where}")
    return 0


# --------------------------------------------------------------------------- info


def _file_rows(name: str, folder: Path) -> list[str]:
    from toolkit.cache import source_sha256
    from toolkit.corpora.registry import identify_release

    lines = []
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    for p in entries:
        if p.is_file():
            sha = source_sha256(p)  # memoised by size and mtime
            rel = identify_release(name, sha256=sha)
            match = f"release {rel}" if rel else "not a known release"
            lines.append(f"  {p.name}  {_human(p.stat().st_size)}  sha256 {sha}  ({match})")
        elif p.is_dir():
            files = [f for f in p.rglob("*") if f.is_file()]
            size = sum(f.stat().st_size for f in files)
            lines.append(f"  {p.name}/  {len(files)} files, {_human(size)}")
    return lines


def _coverage(df: Any) -> list[str]:
    info = df.attrs.get("corpus", {})
    lines = [f"  documents: {len(df):,}"]
    if df["year"].notna().any():
        years = df["year"].dropna().astype(int)
        lines.append(f"  years: {years.min()}-{years.max()} ({years.nunique()} distinct)")
    if df["actor"].notna().any():
        top = df["actor"].value_counts().head(5)
        lines.append(
            f"  actors: {df['actor'].nunique()} (most documents: "
            + ", ".join(f"{a} {n}" for a, n in top.items())
            + ")"
        )
    if df["speaker"].notna().any():
        lines.append(f"  documents with a speaker: {int(df['speaker'].notna().sum()):,}")
    lines.append(f"  characters of text: {int(df['text'].str.len().sum()):,}")
    skipped = info.get("skipped") or []
    shown = ", ".join(str(s.get("file")) for s in skipped[:5])
    lines.append(f"  skipped: {len(skipped)}" + (f" ({shown}{' ...' if len(skipped) > 5 else ''})"
                                                  if skipped else ""))
    if info.get("release") or info.get("sha256"):
        lines.append(f"  release: {info.get('release') or 'unknown'}; "
                     f"sha256 of the source: {info.get('sha256')}")
    return lines


def _cmd_info(args: argparse.Namespace) -> int:
    from toolkit.config import get_data_home
    from toolkit.corpora.registry import (
        CorpusNotFoundError,
        corpus_card,
        corpus_names,
        load_corpus,
        locate,
    )

    name = args.name
    if name in corpus_names():
        card = corpus_card(name)
        print(f"{card['title']} ({name})")
        print(f"  {_oneline(card['description'])}")
        source = card.get("source") or {}
        for key in ("doi", "url", "package"):
            if source.get(key):
                print(f"  {key}: {source[key]}")
        print(f"  licence: {_oneline(card['licence'])}")
        cites = card["citation"] if isinstance(card["citation"], list) else [card["citation"]]
        for c in cites:
            print(f"  cite: {_oneline(c)}")
        print("Known releases:")
        for rel in card["releases"]:
            print(f"  {rel['name']}: {_oneline(rel.get('description', ''))}")
            for f in rel.get("files", []):
                print(f"    {f['name']}  sha256 {f.get('sha256') or 'unknown'}")
        try:
            path = locate(name, data_home=args.data_home)
        except CorpusNotFoundError as exc:
            print("Here: not available.")
            print(f"  {exc}")
            return 0
        print(f"Here: {path}")
        if not card.get("embedded"):
            for line in _file_rows(name, get_data_home(args.data_home) / name):
                print(line)
        # Load what was located, so that --data-home is honoured.
        target: str | Path = name if card.get("embedded") else path
    else:
        path = Path(name).expanduser()
        if not path.exists():
            raise FileNotFoundError(
                f"{name!r} is neither a known corpus ({corpus_names()}) nor an existing path."
            )
        print(f"Your corpus at {path}")
        target = path
    if args.no_load:
        return 0
    print("Coverage (from loading it):")
    with warnings.catch_warnings():  # skipped documents are summarised below
        warnings.simplefilter("ignore", UserWarning)
        df = load_corpus(target)
    for line in _coverage(df):
        print(line)
    return 0


# --------------------------------------------------------------------------- fetch


def _cmd_fetch(args: argparse.Namespace) -> int:
    from toolkit.corpora.registry import fetch

    path = fetch(args.name, release=args.release, data_home=args.data_home, url=args.url,
                 timeout=args.timeout, progress=not args.quiet)
    print(f"{args.name} is available at {path}")
    return 0


# --------------------------------------------------------------------------- cache


def _cmd_cache(args: argparse.Namespace) -> int:
    from toolkit.cache import clear_cache, list_cache
    from toolkit.config import get_cache_home

    home = get_cache_home()
    if args.clear is not None:
        kind = args.clear or None
        n = clear_cache(kind)
        print(f"Removed {n} cache file(s){f' of kind {kind!r}' if kind else ''} from {home}.")
        return 0
    entries = list_cache()
    print(f"Cache: {home} (set FPTK_CACHE_HOME to move it)")
    if not entries:
        print("  empty")
        return 0
    kinds: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        kinds.setdefault(e["kind"], []).append(e)
    for kind, rows in sorted(kinds.items()):
        print(f"  {kind}: {len(rows)} file(s), {_human(sum(r['bytes'] for r in rows))}")
        if args.list:
            for r in rows:
                print(f"    {Path(r['file']).name}  {_human(r['bytes'])}")
    total = sum(e["bytes"] for e in entries)
    print(f"  total: {len(entries)} file(s), {_human(total)}")
    return 0


# --------------------------------------------------------------------------- report


def _parse_set(items: Sequence[str]) -> dict[str, Any]:
    params = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set expects KEY=VALUE, got {item!r}.")
        params[key.strip()] = yaml.safe_load(value)
    return params


def _cmd_report(args: argparse.Namespace) -> int:
    from toolkit import report

    kwargs: dict[str, Any] = {}
    if args.config is not None:
        kwargs["config"] = args.config
    if args.notebook:
        kwargs["notebooks"] = args.notebook
    # Folders named on the command line are taken from the current folder, as a shell user
    # expects (build_reports alone takes a relative default from the project root).
    if args.output_dir is not None:
        kwargs["output_dir"] = os.path.abspath(args.output_dir)
    if args.build_dir is not None:
        kwargs["build_dir"] = os.path.abspath(args.build_dir)
    if args.set:
        kwargs["params"] = _parse_set(args.set)
    if args.show_input:
        kwargs["exclude_input"] = False
    if args.jobs is not None:
        kwargs["jobs"] = args.jobs
    if args.no_reuse:
        kwargs["reuse"] = False
    report.build_reports(**kwargs)
    return 0


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``fptk`` command."""
    parser = argparse.ArgumentParser(
        prog="fptk",
        description="Foreign-Policy Text Toolkit: corpora, caches and reports.",
    )
    parser.add_argument("--version", action="version", version=f"fptk {__version__}")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run Dask work on this scheduler, e.g. tcp://10.0.0.5:8786 (sets "
                        "FPTK_DASK_SCHEDULER for this run and the report's kernels)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("corpora", help="list the known corpora and whether each is here")
    p.add_argument("--data-home", help="overrides FPTK_DATA_HOME")
    p.set_defaults(func=_cmd_corpora)

    p = sub.add_parser("info", help="card, files, checksums and coverage of a corpus")
    p.add_argument("name", help="a corpus name (see `fptk corpora`) or a path")
    p.add_argument("--no-load", action="store_true",
                   help="do not load the corpus (skip the coverage summary)")
    p.add_argument("--data-home", help="overrides FPTK_DATA_HOME")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("fetch", help="put a corpus in the data home (download if missing)")
    p.add_argument("name")
    p.add_argument("--release", help="a release named in the corpus card")
    p.add_argument("--url", help="download the release's main file from this URL (a mirror)")
    p.add_argument("--data-home", help="overrides FPTK_DATA_HOME")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_fetch)

    p = sub.add_parser("cache", help="show or clear derived files in the cache")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--list", action="store_true", help="list every file")
    group.add_argument("--clear", nargs="?", const="", metavar="KIND",
                       help="delete all cache files, or those of one KIND")
    p.set_defaults(func=_cmd_cache)

    p = sub.add_parser("report", help="execute the notebooks and render HTML reports")
    p.add_argument("--config", help="run parameters (default reports.yml)")
    p.add_argument("--notebook", action="append",
                   help="a notebook name or prefix (repeatable; default all)")
    p.add_argument("--output-dir", help="where the HTML goes (default reports/ of the project; "
                   "a path given here is taken from the current folder)")
    p.add_argument("--build-dir", help="where executed notebooks go (default build/)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="override a parameter, e.g. --set corpus=sotu, --set corpus=press.csv "
                   "(a path: read once, written as Parquet into the build folder), "
                   "--set years=[2000,2010], --set period=M (grouping: M, Q, year, decade, N "
                   "years) or --set 03-alignment.n_boot=50 (repeatable)")
    p.add_argument("--show-input", action="store_true", help="show code cells in the HTML")
    p.add_argument("--jobs", type=int, help="notebooks executed at once (default 2)")
    p.add_argument("--no-reuse", action="store_true",
                   help="execute every notebook even when nothing it depends on changed")
    p.set_defaults(func=_cmd_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fptk`` command line.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        Arguments without the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 on an explained error, 2 on bad arguments.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version or bad arguments
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    try:
        if args.scheduler is not None:
            from toolkit.distributed import SCHEDULER_ENV, scheduler_address

            os.environ[SCHEDULER_ENV] = scheduler_address(args.scheduler) or ""
        return int(args.func(args))
    except KeyboardInterrupt:
        print("fptk: interrupted", file=sys.stderr)
        return 130
    except (OSError, ValueError, RuntimeError, ImportError) as exc:
        print(f"fptk: error: {exc}", file=sys.stderr)
        return 1
