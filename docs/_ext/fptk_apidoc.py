"""Write the API reference pages, one per public toolkit module, from each ``__all__``.

Runs when Sphinx reads its configuration (``config-inited``), before autosummary writes
its stub pages, so the reference always lists what the package exports: a name added to an
``__all__`` appears in the docs without editing them. ``tests/test_docs.py`` checks the
built HTML against every ``__all__`` independently.

A public module is ``toolkit`` itself, every module named in ``toolkit.__all__`` and,
recursively, every module named in a public module's ``__all__`` (the ``toolkit.plots``
modules). An object exported by several modules (an exception re-exported by the stage that
raises it, a function re-exported under another name) is documented once, on the page of the
module that defines it, and the other pages link to it.
"""

from __future__ import annotations

import importlib
import inspect
import re
import types
from pathlib import Path
from typing import Any

#: (heading, test) in page order; the first test that holds decides an object's section.
SECTIONS: tuple[tuple[str, Any], ...] = (
    ("Modules", lambda obj: isinstance(obj, types.ModuleType)),
    ("Exceptions and warnings",
     lambda obj: inspect.isclass(obj) and issubclass(obj, BaseException)),
    ("Classes", inspect.isclass),
    ("Functions", callable),
    ("Constants", lambda obj: True),
)


def public_modules(root: str = "toolkit") -> dict[str, list[str]]:
    """Map every public module name to its ``__all__``, in discovery order.

    Parameters
    ----------
    root : str, default="toolkit"
        The package to start from.

    Returns
    -------
    dict of str to list of str
        ``{"toolkit.corpora": ["STANDARD_COLUMNS", ...], ...}``; ``root`` first, then its
        submodules in the order of its ``__all__``.
    """
    pages: dict[str, list[str]] = {}

    def walk(name: str) -> None:
        if name in pages:
            return
        module = importlib.import_module(name)
        names = list(getattr(module, "__all__", []))
        pages[name] = names
        for attr in names:
            obj = getattr(module, attr)
            if isinstance(obj, types.ModuleType) and obj.__name__.startswith(root + "."):
                walk(obj.__name__)

    walk(root)
    return pages


def _owner(obj: Any, holders: list[tuple[str, str]]) -> tuple[str, str]:
    """The (module, name) under which ``obj`` is documented among those exporting it."""
    defined_in = getattr(obj, "__module__", None) or ""
    # The exporting module that contains the definition (longest prefix) wins.
    inside = [(m, n) for m, n in holders
              if defined_in == m or defined_in.startswith(m + ".")]
    if inside:
        best = max(len(m) for m, _ in inside)
        inside = [(m, n) for m, n in inside if len(m) == best]
        named = [(m, n) for m, n in inside if n == getattr(obj, "__name__", n)]
        return (named or inside)[0]
    return holders[0]


def owners(pages: dict[str, list[str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """For every exported (module, name), the (module, name) that documents the object.

    Parameters
    ----------
    pages : dict of str to list of str
        Output of :func:`public_modules`.

    Returns
    -------
    dict
        ``(module, name) -> (owner module, owner name)``; an object exported once is its
        own owner. Plain values (strings, numbers, containers) are never shared.
    """
    by_key: dict[tuple, list[tuple[str, str]]] = {}
    objects: dict[tuple, Any] = {}
    for module_name, names in pages.items():
        module = importlib.import_module(module_name)
        for name in names:
            obj = getattr(module, name)
            shared = inspect.isclass(obj) or inspect.isroutine(obj)
            key = ("object", id(obj)) if shared else ("value", module_name, name)
            by_key.setdefault(key, []).append((module_name, name))
            objects[key] = obj
    result = {}
    for key, holders in by_key.items():
        owner = _owner(objects[key], holders)
        for holder in holders:
            result[holder] = owner
    return result


def _role(obj: Any) -> str:
    if isinstance(obj, types.ModuleType):
        return "mod"
    if inspect.isclass(obj):
        return "exc" if issubclass(obj, BaseException) else "class"
    return "func" if callable(obj) else "data"


def module_page(module_name: str, names: list[str],
                owner: dict[tuple[str, str], tuple[str, str]]) -> str:
    """The reStructuredText of one module's API page.

    Parameters
    ----------
    module_name : str
        E.g. ``"toolkit.corpora"``.
    names : list of str
        The module's ``__all__``.
    owner : dict
        Output of :func:`owners`.

    Returns
    -------
    str
        A title, the module docstring, then one autosummary table per kind of object (its
        own objects get a stub page each) and a list of the names documented elsewhere.
    """
    module = importlib.import_module(module_name)
    title = f"``{module_name}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {module_name}", "   :no-members:",
             "", f".. currentmodule:: {module_name}", ""]
    grouped: dict[str, list[str]] = {heading: [] for heading, _ in SECTIONS}
    elsewhere: list[str] = []
    for name in names:
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            grouped["Modules"].append(name)
        elif owner[(module_name, name)] != (module_name, name):
            elsewhere.append(name)
        else:
            grouped[next(h for h, test in SECTIONS if test(obj))].append(name)
    for heading, members in grouped.items():
        if not members:
            continue
        lines += [heading, "-" * len(heading), ""]
        if heading == "Modules":
            lines += [f"- :mod:`{name} <{module_name}.{name}>`: "
                      f"{_summary(getattr(module, name))}" for name in members]
            lines.append("")
            continue
        lines += [".. autosummary::", "   :toctree: generated", "   :nosignatures:", ""]
        lines += [f"   {name}" for name in members]
        lines.append("")
    if elsewhere:
        heading = "Also exported here"
        lines += [heading, "-" * len(heading), "",
                  "Documented on the page of the module that defines them.", ""]
        for name in elsewhere:
            target_module, target_name = owner[(module_name, name)]
            role = _role(getattr(module, name))
            alias = "" if target_name == name else f" (an alias of ``{target_name}``)"
            lines.append(f"- :py:{role}:`{name} <{target_module}.{target_name}>`{alias}")
        lines.append("")
    return "\n".join(lines)


def pipeline_order() -> list[str]:
    """The stages in pipeline order, read from the table of ``ARCHITECTURE.md``.

    Returns
    -------
    list of str
        Stage names (``["corpora", "text", ...]``); empty without the file (an installed
        package), in which case every module is listed alphabetically.
    """
    path = Path(__file__).resolve().parents[2] / "ARCHITECTURE.md"
    if not path.is_file():
        return []
    rows = re.findall(r"^\|\s*(\d+)\s*\|\s*`(\w+)`", path.read_text(), flags=re.M)
    return [name for _, name in sorted(rows, key=lambda row: int(row[0]))]


def _summary(obj: Any) -> str:
    doc = (inspect.getdoc(obj) or "").strip()
    paragraph = " ".join(doc.split("\n\n")[0].split())
    sentence = re.match(r"(.+?\.)(?=\s+[A-Z])", paragraph)  # its first sentence
    return sentence.group(1) if sentence else paragraph


def write_api(outdir: Path) -> dict[str, list[str]]:
    """Write ``index.rst`` and one ``<module>.rst`` per public module into ``outdir``.

    Parameters
    ----------
    outdir : Path
        The folder (``docs/api``); pages whose text is unchanged are not rewritten, so an
        incremental build does not reread them.

    Returns
    -------
    dict of str to list of str
        The pages written (output of :func:`public_modules`).
    """
    pages = public_modules()
    owner = owners(pages)
    outdir.mkdir(parents=True, exist_ok=True)
    texts = {name: module_page(name, names, owner) for name, names in pages.items()}
    stages = pipeline_order()
    top = [n for n in pages if n.count(".") == 1]
    in_stages = sorted((n for n in top if n.split(".")[1] in stages),
                       key=lambda n: stages.index(n.split(".")[1]))
    others = sorted(n for n in top if n not in in_stages)
    sub = {n: [m for m in pages if m.startswith(n + ".")] for n in top}

    def bullets(names: list[str]) -> list[str]:
        out = []
        for name in names:
            out.append(f"- :mod:`{name}`: {_summary(importlib.import_module(name))}")
            if sub[name]:
                out += ["", *(f"  - :mod:`{m}`: {_summary(importlib.import_module(m))}"
                              for m in sub[name]), ""]
        return out

    index = ["API reference", "=============", "",
             "One page per public module, generated from the docstrings. Each lists the "
             "names of the module's ``__all__``; ``from toolkit import corpora`` and "
             "``corpora.load_corpus(...)`` is how a notebook reaches them.", "",
             ".. toctree::", "   :hidden:", ""]
    index += [f"   {name}" for name in ["toolkit", *(m for n in in_stages + others
                                                      for m in [n, *sub[n]])]]
    index += ["", f"- :mod:`toolkit`: {_summary(importlib.import_module('toolkit'))}", "",
              "Pipeline stages", "---------------", "",
              "In the order data flows through them; a stage imports only earlier ones.", ""]
    index += bullets(in_stages)
    index += ["", "Cross-cutting modules", "---------------------", "",
              "Any stage may import them; they import no stage.", ""]
    index += bullets(others)
    texts["index"] = "\n".join(index) + "\n"
    for name, text in texts.items():
        path = outdir / f"{name}.rst"
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
    return pages


def _import(dotted: str) -> tuple[bool, Any]:
    """Import ``a.b.c`` as a module, or an attribute of the longest importable prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        except Exception:
            return False, None
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False, None
        return True, obj
    return False, None


class _Resolver:
    """Resolve references that name a real object by a path the API pages do not use.

    Docstrings cite objects where they are defined (``toolkit.corpora.generic.load_table``,
    ``toolkit.topics.model``) or by a bare name from the defining module. Such a reference
    links to the public page documenting the same object (its owner, or for a private module
    the nearest public package); an object of another package (pandas, scikit-learn) or a
    private helper renders as code, since the docs build has no network for intersphinx.
    A reference that names no importable object is left alone, so nitpicky mode still
    reports it as broken.
    """

    def __init__(self) -> None:
        self.pages = public_modules()
        owner = owners(self.pages)
        self.by_id: dict[int, str] = {}
        for (module_name, name), (owner_module, owner_name) in owner.items():
            obj = getattr(importlib.import_module(module_name), name)
            if inspect.isclass(obj) or inspect.isroutine(obj):
                self.by_id[id(obj)] = f"{owner_module}.{owner_name}"

    def candidates(self, target: str, node: Any, env: Any) -> list[str]:
        target = target.lstrip(".~")
        names = [target]
        context = [node.get("py:module"), _page_object_module(node.get("refdoc", ""))]
        for module in filter(None, context):
            if node.get("py:class"):
                names.append(f"{module}.{node['py:class']}.{target}")
            names.append(f"{module}.{target}")
        names.append(f"builtins.{target}")
        return names

    def public_name(self, obj: Any, dotted: str) -> tuple[str, str] | None:
        if isinstance(obj, types.ModuleType):
            name = obj.__name__
            while name and name not in self.pages:
                name = name.rpartition(".")[0]
            return ("mod", name) if name else None
        if id(obj) in self.by_id:
            return ("obj", self.by_id[id(obj)])
        parent, _, attr = dotted.rpartition(".")
        found, owner = _import(parent)
        if found and inspect.isclass(owner) and id(owner) in self.by_id:
            return ("attr", f"{self.by_id[id(owner)]}.{attr}")
        return None


def _page_object_module(docname: str) -> str | None:
    """The module defining the object of an API stub page (``api/generated/<name>``)."""
    if not docname.startswith("api/generated/"):
        return None
    found, obj = _import(docname.removeprefix("api/generated/"))
    return getattr(obj, "__module__", None) if found else None


def _on_missing_reference(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    if node.get("refdomain") != "py":
        return None
    resolver = getattr(app, "_fptk_resolver", None)
    if resolver is None:
        resolver = app._fptk_resolver = _Resolver()
    target = node["reftarget"]
    domain = env.domains["py"]
    for dotted in resolver.candidates(target, node, env):
        found, obj = _import(dotted)
        if not found:
            continue
        public = resolver.public_name(obj, dotted)
        if public is not None:
            kind, name = public
            for role in (("mod",) if kind == "mod" else (node["reftype"], "obj")):
                ref = domain.resolve_xref(env, node["refdoc"], app.builder, role, name,
                                          node, contnode)
                if ref is not None:
                    return ref
            if kind == "attr":  # an undocumented attribute: link to its class
                ref = domain.resolve_xref(env, node["refdoc"], app.builder, "class",
                                          name.rpartition(".")[0], node, contnode)
                if ref is not None:
                    return ref
        if not dotted.startswith("toolkit.") or public is None:
            return contnode  # another package, or a private helper: shown as code
    return None


def _on_config_inited(app: Any, config: Any) -> None:
    write_api(Path(app.srcdir) / "api")


def setup(app: Any) -> dict[str, Any]:
    """Register the page writer and the reference resolver with Sphinx."""
    app.connect("config-inited", _on_config_inited)
    app.connect("missing-reference", _on_missing_reference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
