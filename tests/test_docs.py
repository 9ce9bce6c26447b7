"""The documentation builds, documents every public name, and its pages work in a browser.

Builds the HTML with ``sphinx-build -W`` (what ``make docs`` runs: warnings are errors, the
how-to pages execute) into a temporary folder, unless ``docs/_build/html`` is newer than
every source of the docs and of the toolkit, in which case that build is checked. Then:

- every name of every public ``__all__`` is on its module's API page, linked to the object's
  documentation (checked against ``objects.inv`` and by object identity);
- every internal link and anchor of the built HTML resolves (parsed from the HTML; there is
  no network, so external links are not followed);
- the index, an API page and a how-to page load in headless Chromium with no error, no
  failed request and no request to the network;
- each how-to page shows the outputs of its executed code.
"""

from __future__ import annotations

import html.parser
import importlib
import importlib.util
import os
import subprocess
import sys
import time
import types
import urllib.parse
from pathlib import Path

import pytest

from toolkit import config

ROOT = config.project_root()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(ROOT is None or not (ROOT / "docs" / "conf.py").is_file(),
                       reason="needs the docs/ of a checkout"),
]
sphinx_inventory = pytest.importorskip("sphinx.util.inventory",
                                       reason="sphinx is not installed (pip install -e '.[dev]')")

HOWTOS = ("own-corpus", "dictionary", "compare-actors", "topics", "reports", "dask")


def _sources_mtime(root: Path) -> float:
    """The newest modification time among the sources of the docs: their pages, the toolkit
    (code, dictionaries, templates), the notebooks and reports.yml (the reports how-to)."""
    docs = root / "docs"
    files = [p for p in docs.rglob("*") if p.is_file()
             and not {"_build", "api", "jupyter_execute"} & set(p.relative_to(docs).parts)]
    files += [*(root / "toolkit").rglob("*"), *(root / "notebooks").glob("*.ipynb"),
              root / "ARCHITECTURE.md", root / "reports.yml"]
    return max(p.stat().st_mtime for p in files
               if p.is_file() and "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The folder of a fresh HTML build of the docs."""
    existing = ROOT / "docs" / "_build" / "html"
    stamp = existing / ".buildinfo"
    if stamp.is_file() and stamp.stat().st_mtime > _sources_mtime(ROOT):
        return existing
    out = tmp_path_factory.mktemp("docs-html")
    env = {**os.environ, "FPTK_CACHE_HOME": str(tmp_path_factory.mktemp("docs-cache"))}
    start = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-E", "-W", "--keep-going", "-q",
         "-d", str(out / ".doctrees"), str(ROOT / "docs"), str(out)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800,
    )
    assert run.returncode == 0, f"sphinx-build failed:\n{run.stderr[-6000:]}"
    print(f"docs built in {time.monotonic() - start:.0f} s")
    return out


def _public_modules() -> dict[str, list[str]]:
    """Every public module and its ``__all__``: toolkit's submodules, recursively."""
    import toolkit

    pages: dict[str, list[str]] = {}
    todo = ["toolkit"]
    while todo:
        name = todo.pop(0)
        if name in pages:
            continue
        module = importlib.import_module(name)
        pages[name] = list(module.__all__)
        todo += [getattr(module, n).__name__ for n in module.__all__
                 if isinstance(getattr(module, n), types.ModuleType)]
    assert set(toolkit._SUBMODULES) <= {m.removeprefix("toolkit.") for m in pages}
    return pages


class _Page(html.parser.HTMLParser):
    """The ids, links (href, text) and resource URLs of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []
        self.resources: list[str] = []
        self._open: list[list] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href") is not None:
            self._open.append([attrs["href"], ""])
        elif tag == "a":
            self._open.append([None, ""])
        for key in ("src",) if tag in {"img", "script"} else ("href",) if tag == "link" else ():
            if attrs.get(key):
                self.resources.append(attrs[key])

    def handle_data(self, data):
        for link in self._open:
            link[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            href, text = self._open.pop()
            if href is not None:
                self.links.append((href, " ".join(text.split())))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_every_public_name_is_on_its_module_page(built):
    inventory = sphinx_inventory.InventoryFile.loads(
        (built / "objects.inv").read_bytes(), uri="")
    objects = {name for kind, entries in inventory.data.items() if kind.startswith("py:")
               for name in entries}
    missing, wrong = [], []
    n_names = 0
    for module_name, names in _public_modules().items():
        module = importlib.import_module(module_name)
        assert module_name in objects, f"no API page for {module_name}"
        page_file = built / "api" / f"{module_name}.html"
        assert page_file.is_file(), page_file
        links = _parse(page_file).links
        for name in names:
            n_names += 1
            obj = getattr(module, name)
            targets = [urllib.parse.unquote(urllib.parse.urlsplit(href).fragment)
                       for href, text in links if text == name]
            targets = [t.removeprefix("module-") for t in targets if t]
            if not targets:
                missing.append(f"{module_name}.{name}")
                continue
            documented = [t for t in targets if t in objects]
            resolved = []
            for target in documented:
                path, _, attr = target.rpartition(".")
                try:
                    resolved.append(importlib.import_module(target) if isinstance(
                        obj, types.ModuleType) else getattr(importlib.import_module(path), attr))
                except (ImportError, AttributeError):
                    continue
            if not any(r is obj for r in resolved):
                wrong.append(f"{module_name}.{name} -> {targets}")
    assert not missing, f"public names not on their module's API page: {missing}"
    assert not wrong, f"public names linked to another object or to nothing: {wrong}"
    assert n_names > 250  # the toolkit exports about 300 names


def test_every_internal_link_and_anchor_resolves(built):
    pages = {path: _parse(path) for path in built.rglob("*.html")}
    assert len(pages) > 250
    broken = []
    n_checked = 0
    for path, page in pages.items():
        urls = [href for href, _ in page.links] + page.resources
        for url in urls:
            parts = urllib.parse.urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith("//"):
                continue  # external: no network to check it against
            target = (path.parent / urllib.parse.unquote(parts.path)).resolve() \
                if parts.path else path
            n_checked += 1
            if not target.is_file():
                broken.append(f"{path.relative_to(built)}: {url} (no file)")
                continue
            fragment = urllib.parse.unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                target_page = pages.get(target) or _parse(target)
                if fragment not in target_page.ids:
                    broken.append(f"{path.relative_to(built)}: {url} (no anchor)")
    assert not broken, f"{len(broken)} broken internal links: {broken[:20]}"
    assert n_checked > 1000


def test_howto_pages_show_the_output_of_their_code(built):
    for name in HOWTOS:
        text = (built / "howto" / f"{name}.html").read_text(encoding="utf-8")
        n_cells = text.count('class="cell docutils container"')
        n_outputs = text.count('class="cell_output docutils container"')
        assert n_cells >= 3 and n_outputs >= 2, (name, n_cells, n_outputs)
        assert "Traceback (most recent call last)" not in text, name


#: The main functions of the issue: each carries an Examples section that runs as a doctest.
MAIN_FUNCTIONS = (
    "corpora.load_corpus", "corpora.load_table", "features.build_dtm",
    "keywords.keyword_trends", "keywords.kwic", "keywords.keyness", "topics.TopicModel",
    "topics.sweep_k", "alignment.similarity_panel", "alignment.Wordscores",
    "external.voting_agreement", "stance.StanceRules", "stance.label_stance",
)


@pytest.mark.parametrize("name", MAIN_FUNCTIONS)
def test_main_functions_carry_a_runnable_example(name):
    import doctest

    module_name, _, attr = name.rpartition(".")
    obj = getattr(importlib.import_module(f"toolkit.{module_name}"), attr)
    assert "Examples\n" in (obj.__doc__ or ""), f"{name} has no Examples section"
    test = doctest.DocTestFinder(recurse=False).find(obj, name)[0]
    run = [ex for ex in test.examples if not ex.options.get(doctest.SKIP)]
    assert len(run) >= 3, f"{name}: {len(run)} examples that run"
    assert any(ex.want for ex in run), f"{name}: no example checks its output"


@pytest.fixture(scope="module")
def browser(tmp_path_factory, sibling_module):
    helper = sibling_module("test_report_browser")  # raises under CI when Chromium is missing
    if helper.CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI is set: run `make browser`")
        pytest.skip("chromium is not installed (run `make browser`)")
    b = helper.Browser(tmp_path_factory.mktemp("chromium-docs-profile"))
    yield b
    b.close()


@pytest.mark.parametrize("page", ["index.html", "api/toolkit.corpora.html",
                                  "api/generated/toolkit.keywords.keyword_trends.html",
                                  "howto/compare-actors.html"])
def test_page_loads_in_chromium_without_errors(built, browser, page):
    result = browser.open((built / page).resolve().as_uri())
    assert not result["errors"], (page, result["errors"])
    assert not result["failed"], (page, result["failed"])
    external = [u for u in result["requests"] if not u.startswith(("file:", "data:", "about:"))]
    assert not external, f"{page} loads from the network: {external}"
    assert all(i["w"] > 0 and i["h"] > 0 for i in result["images"]), result["images"]
