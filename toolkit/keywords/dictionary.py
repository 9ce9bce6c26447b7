"""Keyword dictionaries: named, versioned sets of categories of terms, read from YAML.

A :class:`Dictionary` is a named, versioned set of categories, each a list of terms plus a
note on the category's intent. Built-in dictionaries are YAML files in
``toolkit/data/dictionaries/`` (see :func:`available_dictionaries`); users pass their own
as a YAML file or a dict (:func:`load_dictionary`). Every term is checked against the term
syntax (see :mod:`toolkit.keywords`) when the dictionary is loaded, and
:attr:`Dictionary.matcher` compiles all of them into one regular expression.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from toolkit.keywords._matcher import _Matcher, _parse_term, inflections

__all__ = [
    "Category",
    "Dictionary",
    "available_dictionaries",
    "inflections",
    "load_dictionary",
]

_DICT_DIR = "data/dictionaries"


@dataclass(frozen=True)
class Category:
    """One dictionary category.

    Parameters
    ----------
    name : str
        Identifier, used as a column name (``arms_transfers``).
    terms : tuple of str
        Entries in the term syntax (see :mod:`toolkit.keywords`).
    label : str, default=""
        Human-readable name for plots.
    intent : str, default=""
        What the category is meant to capture (and leave out).
    specific : bool, default=False
        The category's terms are specific to the dictionary's subject (for ``arms``: sales
        and transfers, military aid, export controls, arms control), as opposed to the
        context it also tracks (sanctions, alliances...). :func:`toolkit.topics.match_topics`
        looks for topics built from the specific categories. Set in the YAML as
        ``specific: true``.
    """

    name: str
    terms: tuple[str, ...]
    label: str = ""
    intent: str = ""
    specific: bool = False


@dataclass(frozen=True, eq=False)
class Dictionary:
    """A named, versioned keyword dictionary. Build with :func:`load_dictionary`.

    Parameters
    ----------
    name : str
    version : str
    categories : tuple of Category
    description : str, default=""
    source : str or None, default=None
        Where it was read from (a file path, ``"<dict>"``).
    audit : mapping or None, default=None
        The validation of this version, as the YAML's ``audit:`` block gives it:
        ``version`` (the version audited), ``precision`` (per category: ``precision``,
        ``ci_low``, ``ci_high``, ``n``, ``sheet``), ``recall`` and ``agreement``. Written
        from the labelled sheets in ``corpora/annotations/`` (a test recomputes it).
    """

    name: str
    version: str
    categories: tuple[Category, ...]
    description: str = ""
    source: str | None = None
    audit: Mapping[str, Any] | None = None
    _matcher_cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def category_names(self) -> list[str]:
        """Category names, in dictionary order."""
        return [c.name for c in self.categories]

    @property
    def labels(self) -> dict[str, str]:
        """``{category name: label}`` (the name where no label is given)."""
        return {c.name: c.label or c.name for c in self.categories}

    def terms(self, category: str | None = None) -> list[str]:
        """All terms, or those of one category, in dictionary order.

        Parameters
        ----------
        category : str or None, default=None
            A category name; None gives the terms of every category (each once).

        Returns
        -------
        list of str
        """
        if category is not None:
            return list(self[category].terms)
        return list(dict.fromkeys(t for c in self.categories for t in c.terms))

    def __getitem__(self, name: str) -> Category:
        for c in self.categories:
            if c.name == name:
                return c
        raise KeyError(
            f"Dictionary {self.name!r} has no category {name!r}; it has {self.category_names}."
        )

    def __len__(self) -> int:
        return len(self.terms())

    def subset(self, categories: str | Iterable[str]) -> Dictionary:
        """Return a dictionary with only the named categories (same name and version).

        Parameters
        ----------
        categories : str or iterable of str
            Category names, in the order wanted.

        Returns
        -------
        Dictionary
        """
        names = [categories] if isinstance(categories, str) else list(categories)
        cats = tuple(self[n] for n in names)
        if not cats:
            raise ValueError("categories is empty; name at least one category.")
        return Dictionary(self.name, self.version, cats, self.description, self.source,
                          self.audit)

    def audit_caption(self, categories: str | Iterable[str] | None = None) -> str:
        """One sentence naming the dictionary version and its audited precision, for captions.

        Parameters
        ----------
        categories : str or iterable of str or None, default=None
            The categories a figure shows; None means every category.

        Returns
        -------
        str
            E.g. "Dictionary arms v1.3.0; audited precision: Arms sales and transfers 0.95
            [0.83, 0.99], n = 40 lines read." or "...: not audited." when the YAML holds no
            audit of this version.
        """
        names = (self.category_names if categories is None
                 else [categories] if isinstance(categories, str) else list(categories))
        head = f"Dictionary {self.name} v{self.version}"
        audit = self.audit or {}
        if str(audit.get("version")) != self.version:
            return f"{head}; not audited."
        parts = []
        for name in names:
            rec = (audit.get("precision") or {}).get(name)
            label = self.labels.get(name, name)
            if rec is None:
                parts.append(f"{label} not audited")
            else:
                parts.append(f"{label} {rec['precision']:.2f} [{rec['ci_low']:.2f}, "
                             f"{rec['ci_high']:.2f}], n = {rec['n']}")
        return f"{head}; audited precision (lines read against the codebook): " + "; ".join(
            parts) + "."

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (the YAML shape), which :func:`load_dictionary` reads back.

        Returns
        -------
        dict
            ``name``, ``version``, ``description`` and ``categories`` (label, intent,
            specific, terms of each).
        """
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "categories": {
                c.name: {"label": c.label, "intent": c.intent, "specific": c.specific,
                         "terms": list(c.terms)}
                for c in self.categories
            },
            **({"audit": dict(self.audit)} if self.audit else {}),
        }

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 (first 16 hex) of the categories and terms: what determines counts."""
        payload = json.dumps(
            [[c.name, list(c.terms)] for c in self.categories], ensure_ascii=False
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    @property
    def matcher(self) -> _Matcher:
        """The compiled matcher (built once per content: dictionaries with the same
        categories and terms share it within a process)."""
        if "m" not in self._matcher_cache:
            self._matcher_cache["m"] = _shared_matcher(self)
        return self._matcher_cache["m"]

    def __repr__(self) -> str:
        return (
            f"Dictionary(name={self.name!r}, version={self.version!r}, "
            f"categories={self.category_names}, n_terms={len(self)})"
        )


#: Compiled matchers by dictionary content hash, least recently used first.
_MATCHERS: dict[str, _Matcher] = {}
_MAX_MATCHERS = 32
_MATCHERS_LOCK = threading.Lock()


def _shared_matcher(d: Dictionary) -> _Matcher:
    """The matcher of ``d``'s categories and terms, compiled once per process.

    A researcher who calls ``kwic(df, "dual use")`` twice, or passes the same dict or YAML
    to several functions, builds a new :class:`Dictionary` each time; its matcher depends
    only on the category names and terms, which :attr:`Dictionary.content_hash` hashes.
    """
    key = d.content_hash
    with _MATCHERS_LOCK:  # Dask's threaded workers share the table
        m = _MATCHERS.pop(key, None)
        if m is None:
            m = _Matcher(d)
        _MATCHERS[key] = m
        while len(_MATCHERS) > _MAX_MATCHERS:
            del _MATCHERS[next(iter(_MATCHERS))]
    return m


def available_dictionaries() -> list[str]:
    """Names of the built-in dictionaries (files in ``toolkit/data/dictionaries``).

    Returns
    -------
    list of str
        Sorted names, each a valid ``spec`` of :func:`load_dictionary`.
    """
    folder = resources.files("toolkit").joinpath(_DICT_DIR)
    return sorted(
        p.name.rsplit(".", 1)[0]
        for p in folder.iterdir()
        if p.name.endswith((".yaml", ".yml"))
    )


def _builtin_path(name: str) -> Path | None:
    folder = resources.files("toolkit").joinpath(_DICT_DIR)
    for suffix in (".yaml", ".yml"):
        p = folder.joinpath(name + suffix)
        if p.is_file():
            return Path(str(p))
    return None


def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise ValueError(f"Dictionary file {path} is not valid YAML: {exc}") from exc


def load_dictionary(spec: str | Path | Mapping[str, Any] | Dictionary) -> Dictionary:
    """Load a keyword dictionary.

    Parameters
    ----------
    spec : str, path-like, dict or Dictionary
        A built-in name (see :func:`available_dictionaries`, e.g. ``"arms"``), a path to a
        YAML file, or a dict (a Dictionary is returned as it is). Two dict/YAML shapes are
        accepted::

            {"name": "mine", "version": "1.0",
             "categories": {"arms": {"terms": ["arms sale"], "intent": "...", "label": "..."}}}
            {"arms": ["arms sale", "weapon export"], "aid": ["military aid"]}

    Returns
    -------
    Dictionary

    Raises
    ------
    ValueError
        If the file or dict has the wrong shape, a category has no terms, a term is not a
        non-empty string, or a term cannot be compiled. The message names the place.
    FileNotFoundError
        If ``spec`` is neither a built-in name nor an existing file.
    """
    if isinstance(spec, Dictionary):
        return spec
    if isinstance(spec, Mapping):
        return _dictionary_from_mapping(spec, source="<dict>")
    if isinstance(spec, (str, Path)):
        path = _builtin_path(str(spec)) if isinstance(spec, str) else None
        if path is None:
            path = Path(spec).expanduser()
            if not path.is_file():
                raise FileNotFoundError(
                    f"No dictionary {str(spec)!r}: not a built-in "
                    f"({', '.join(available_dictionaries())}) and no such file."
                )
        data = _read_yaml(path)
        if not isinstance(data, Mapping):
            raise ValueError(
                f"Dictionary file {path} must hold a mapping (name, version, categories), "
                f"got {type(data).__name__}."
            )
        data = dict(data)
        data.setdefault("name", path.name.rsplit(".", 1)[0])
        return _dictionary_from_mapping(data, source=str(path))
    raise TypeError(
        "load_dictionary expects a name, a path, a dict or a Dictionary, got "
        f"{type(spec).__name__}."
    )


def _dictionary_from_mapping(data: Mapping[str, Any], *, source: str) -> Dictionary:
    where = f"dictionary {source}"
    if "categories" in data:
        cats_raw = data["categories"]
        name = str(data.get("name", "custom"))
        version = str(data.get("version", "0"))
        description = str(data.get("description", "") or "")
    else:
        cats_raw = data
        name, version, description = "custom", "0", ""
    if not isinstance(cats_raw, Mapping):
        raise ValueError(
            f"In {where}: 'categories' must be a mapping of category name -> terms, got "
            f"{type(cats_raw).__name__}."
        )
    if not cats_raw:
        raise ValueError(
            f"The {where} is empty: it has no categories. Give at least one category with "
            "at least one term, e.g. {'arms': ['arms sale']}."
        )
    categories = []
    for cname, body in cats_raw.items():
        label = intent = ""
        specific = False
        if isinstance(body, Mapping):
            unknown = set(body) - {"terms", "label", "intent", "specific"}
            if unknown:
                raise ValueError(
                    f"In {where}, category {cname!r} has unknown keys {sorted(unknown)}; "
                    "allowed: terms, label, intent, specific."
                )
            terms = body.get("terms")
            label = str(body.get("label", "") or "")
            intent = str(body.get("intent", "") or "")
            specific = body.get("specific", False)
            if not isinstance(specific, bool):
                raise ValueError(
                    f"In {where}, category {cname!r}: 'specific' must be true or false, got "
                    f"{specific!r}."
                )
        else:
            terms = body
        if isinstance(terms, str) or not isinstance(terms, (list, tuple)):
            raise ValueError(
                f"In {where}, category {cname!r} must have a list of terms, got "
                f"{type(terms).__name__}."
            )
        if not terms:
            raise ValueError(
                f"In {where}, category {cname!r} has no terms. Add terms or remove the category."
            )
        clean = []
        for i, t in enumerate(terms):
            if not isinstance(t, str) or not t.strip():
                raise ValueError(
                    f"In {where}, category {cname!r}, term #{i + 1} ({t!r}) is not a "
                    "non-empty string."
                )
            clean.append(" ".join(t.split()))
        dupes = [t for t, n in Counter(clean).items() if n > 1]
        if dupes:
            raise ValueError(
                f"In {where}, category {cname!r} lists {dupes} more than once; keep one."
            )
        categories.append(Category(str(cname), tuple(clean), label, intent, specific))
    names = [c.name for c in categories]
    reserved = {"doc_id", "n_tokens", "n_matches"}
    if reserved & set(names):
        raise ValueError(
            f"In {where}, category names {sorted(reserved & set(names))} are reserved; rename them."
        )
    audit = data.get("audit") if "categories" in data else None
    if audit is not None and not isinstance(audit, Mapping):
        raise ValueError(f"In {where}: 'audit' must be a mapping, got {type(audit).__name__}.")
    d = Dictionary(name, version, tuple(categories), description, source, audit)
    for c in d.categories:
        for t in c.terms:
            try:
                _parse_term(t)
            except ValueError as exc:
                raise ValueError(f"In {where}, category {c.name!r}: {exc}") from exc
    return d
