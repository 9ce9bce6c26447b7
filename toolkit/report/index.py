"""The index page of the reports, ``reports/index.html``, from a Jinja2 template.

:func:`write_index` gathers what the page shows (the corpora the notebooks used, each
notebook's findings, tables, status, run time and parameters, and the provenance of the
build) as text, and renders ``templates/fptk_index.html.j2`` with autoescape on, so no
string from a notebook, the corpus or the configuration can add markup to the page.

For papers, each notebook's entry links its figures (PNG, SVG, PDF) and its tables (CSV
and LaTeX), and "How to cite" gives the toolkit (from ``CITATION.cff``) and every corpus
the run used (from the corpus cards, :func:`toolkit.report.paper.corpus_citation`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from toolkit.cache import atomic_path
from toolkit.report import paper
from toolkit.report.render import TEMPLATES

__all__ = ["write_index"]


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _param_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _corpus_rows(sides: Mapping[str, tuple[Any, Any]]) -> list[dict[str, Any]]:
    """One row per distinct corpus (name and checksum) the notebooks recorded."""
    seen: dict[str, dict[str, Any]] = {}
    for _, nb_prov in sides.values():
        if nb_prov and nb_prov.get("corpus"):
            c = nb_prov["corpus"]
            seen.setdefault(f"{c.get('name')}|{c.get('sha256')}", c)
    rows = []
    for c in seen.values():
        n_src = c.get("n_docs_source")
        row = {k: str(c.get(k)) for k in ("name", "release", "sha256", "n_docs", "year_min",
                                           "year_max", "n_actors", "n_skipped", "requested")}
        row.update(
            fallback=bool(c.get("fallback")),
            fallback_reason=str(c.get("fallback_reason") or ""),
            of_source=str(n_src) if n_src not in (None, c.get("n_docs")) else "",
        )
        rows.append(row)
    return rows


def _figure_links(nb: str, findings: Mapping[str, Any]) -> list[dict[str, str]]:
    """Per figure: its stem, caption and the links to its PNG, SVG and PDF."""
    out = []
    for fig in findings.get("figures") or []:
        out.append({"stem": str(fig.get("stem")), "caption": str(fig.get("caption") or ""),
                    **{fmt: f"{nb}/{fig[fmt]}" for fmt in paper.FIGURE_FORMATS if fig.get(fmt)}})
    return out


def _citations(corpora: list[dict[str, Any]],
               sides: Mapping[str, tuple[Any, Any]]) -> dict[str, Any]:
    """How to cite: the toolkit (CITATION.cff) and each corpus or data set the run used."""
    names = [c["name"] for c in corpora]
    for findings, _ in sides.values():
        names += [str(n) for n in (findings or {}).get("sources") or []]
    return {"toolkit": paper.toolkit_citation(),
            "corpora": [paper.corpus_citation(n) for n in dict.fromkeys(names)]}


def _notebook_rows(runs: list[Mapping[str, Any]], sides: Mapping[str, tuple[Any, Any]]):
    """One row per run: title, link, findings, tables, figures, status, timing, parameters."""
    rows = []
    for r in runs:
        findings = sides[r["notebook"]][0] or {}
        latex = findings.get("latex") or {}
        rows.append({
            "name": r["notebook"],
            "title": findings.get("title") or r["notebook"],
            "html": r.get("html") or "",
            "ok": r["status"] == "ok",
            "status": r["status"],
            "error": str(r.get("error")),
            "findings": [it["text"] for it in findings.get("findings") or []],
            "tables": [(n, f"{r['notebook']}/{p}",
                        f"{r['notebook']}/{latex[n]}" if n in latex else "")
                       for n, p in (findings.get("tables") or {}).items()],
            "figures": _figure_links(r["notebook"], findings),
            "reused": bool(r.get("reused")),
            "started": str(r["started"]),
            "seconds": f"{r['seconds']:.1f}",
            "n_figures": str(r.get("n_figures")),
            "params": [(k, _param_text(v)) for k, v in r.get("params", {}).items()],
        })
    return rows


def _index_context(out: Path, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the index template shows, as text (the template escapes it)."""
    runs = list(manifest.get("runs", []))
    prov = manifest.get("provenance", {})
    sides = {r["notebook"]: (_read_json(out / r["notebook"] / "findings.json"),
                             _read_json(out / r["notebook"] / "provenance.json")) for r in runs}
    git = prov.get("git") or {}
    rows = [
        ("fptk version", prov.get("toolkit_version")),
        ("git commit", (git.get("commit") or "unknown")
         + (" (uncommitted changes)" if git.get("dirty") else "")),
        ("python", prov.get("python")),
        ("platform", prov.get("platform")),
        ("seed", prov.get("seed")),
        ("parameters file", manifest.get("config", {}).get("source")),
        ("global parameters", json.dumps(prov.get("params"), default=str)),
        ("overrides", json.dumps(manifest.get("overrides") or {}, default=str)),
        ("data home", prov.get("data_home")),
        ("built at (UTC)", prov.get("collected_at")),
    ]
    corpora = _corpus_rows(sides)
    return {
        "corpora": corpora,
        "cite": _citations(corpora, sides),
        "notebooks": _notebook_rows(runs, sides),
        "total_seconds": f"{float(manifest.get('total_seconds', 0)):.1f}",
        "provenance": [(k, str(v)) for k, v in rows],
        "packages": [(k, str(v)) for k, v in (prov.get("packages") or {}).items()],
    }


def write_index(output_dir: str | os.PathLike, manifest: Mapping[str, Any]) -> Path:
    """Write ``index.html``: findings, links, corpus and run provenance, timings.

    The page is rendered from the Jinja2 template ``templates/fptk_index.html.j2`` with
    autoescape on, so every string from a notebook, the corpus or the configuration is
    HTML-escaped.

    Parameters
    ----------
    output_dir : str or path-like
        The report folder; the side files ``<notebook>/findings.json`` and
        ``<notebook>/provenance.json`` are read from it.
    manifest : mapping
        As :func:`build_reports` returns it (``runs``, ``config``, ``overrides``,
        ``provenance``, ``total_seconds``).

    Returns
    -------
    Path
        The page written (atomically): ``<output_dir>/index.html``.
    """
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    out = Path(output_dir)
    page = env.get_template("fptk_index.html.j2").render(**_index_context(out, manifest))
    target = out / "index.html"
    with atomic_path(target) as tmp:
        tmp.write_text(page + "\n", encoding="utf-8")
    return target
