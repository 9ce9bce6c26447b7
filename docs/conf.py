"""Sphinx configuration of the fptk documentation (``make docs``)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

import toolkit  # noqa: E402

# Code cells of the how-to pages run in a Jupyter kernel started from this process: let it
# use its inline backend (MPLBACKEND=Agg, as CI sets it, would hide every figure).
os.environ.pop("MPLBACKEND", None)
os.environ.setdefault("TQDM_DISABLE", "1")

project = "fptk"
author = "fptk developers"
copyright = "fptk developers"
version = release = toolkit.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
    "fptk_apidoc",  # docs/_ext: one API page per public module, from __all__
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", "README.md"]
templates_path = ["_templates"]
root_doc = "index"
# Every cross-reference must resolve; docs/_ext/fptk_apidoc.py links a defining path
# (toolkit.corpora.generic.load_table) to its public page and shows other packages as code.
nitpicky = True

# API reference: autosummary writes a stub page per object; numpydoc renders the docstrings.
autosummary_generate = True
autosummary_generate_overwrite = True
autodoc_typehints = "none"  # the numpydoc Parameters section states the types
autodoc_member_order = "bysource"
add_module_names = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# A module that lists its references once (``toolkit.uncertainty``) is never cited from its
# own docstring; its functions' citations link to its page (see _link_module_citations).
suppress_warnings = ["ref.citation"]

# How-to pages: MyST markdown notebooks, executed on every build; an error fails the build.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600
nb_execution_in_temp = True
nb_merge_streams = True
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

html_theme = "alabaster"
html_title = f"fptk {version}"
html_theme_options = {
    "description": "Foreign-Policy Text Toolkit",
    "fixed_sidebar": True,
    "show_relbars": True,
    "page_width": "1180px",
    "sidebar_width": "250px",
    "code_font_size": "0.8em",
}
html_static_path: list[str] = []
html_show_sourcelink = False
html_copy_source = False


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Skip members a base class adds (scikit-learn's ``set_*_request`` metadata routing)."""
    module = getattr(obj, "__module__", None) or ""
    if what == "class" and module and not module.startswith("toolkit"):
        return True
    return None


_CITATION = re.compile(r"\[([A-Za-z][\w.-]*)\]_")


def _link_module_citations(app, what, name, obj, options, lines):
    """Point ``[Label]_`` citations defined in the module docstring at the module page.

    numpydoc makes each docstring's citations local to it, so a function citing a reference
    listed once in its module's docstring (``toolkit.uncertainty``) would cite nothing.
    """
    defined = {m.group(1) for line in lines for m in re.finditer(r"^\s*\.\. \[([^\]]+)\]", line)}
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    module_doc = (module.__doc__ or "") if module is not None else ""
    for i, line in enumerate(lines):
        lines[i] = _CITATION.sub(
            lambda m: m.group(0) if m.group(1) in defined or f".. [{m.group(1)}]" not in module_doc
            else f":py:mod:`[{m.group(1)}] <{module.__name__}>`", line)


_PARAM_LINE = re.compile(r"^(\s*[\w*][\w*, ]* : )(.*\*.*)$")


def _escape_type_stars(app, what, name, obj, options, lines):
    """Escape ``*`` in the type of a parameter line (``pattern : str, default="*.txt"``).

    numpydoc sets the type in italics, which a bare ``*`` would end.
    """
    for i, line in enumerate(lines):
        m = _PARAM_LINE.match(line)
        if m and "``" not in m.group(2):
            lines[i] = m.group(1) + m.group(2).replace("*", "\\*")


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)
    # before numpydoc (priority 500) renames the citations of each docstring
    app.connect("autodoc-process-docstring", _link_module_citations, priority=400)
    app.connect("autodoc-process-docstring", _escape_type_stars, priority=400)
