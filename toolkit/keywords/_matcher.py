"""The term syntax compiled: inflections, the term parser, the trie regex and its tallies.

Private to :mod:`toolkit.keywords`; the term syntax and how matching works are described in
the package docstring. :class:`_Matcher` is what :attr:`Dictionary.matcher
<toolkit.keywords.Dictionary.matcher>` returns; the token counter here is the one
:func:`toolkit.keywords.count_tokens` and the matcher share.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from toolkit.keywords.dictionary import Dictionary

#: Bumped whenever the matching semantics change (part of every cache key).
MATCHER_VERSION = "1"
# Characters that separate words without breaking a phrase: whitespace, hyphens and dashes,
# quotes and apostrophes, brackets, slashes, asterisks. Before matching they become spaces
# (length-preserving), so a phrase may span them but not . , ; : ! ?
_TRANSPARENT = re.compile(r"[\s\-\u2010-\u2015'\"\u2018\u2019\u201c\u201d()\[\]{}/*]")
_SEP = " +"
_HSEP = " *"
_MAX_FORMS = 5000
# Longest prefilter pattern used. On UNGDC a pass costs 0.3 s of CPU up to 50,000
# characters (80 entries of the arms dictionary); at 168,000 (its 200 entries) 1.6 s.
_MAX_PREFILTER_CHARS = 64_000
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]+$")
_GAP = re.compile(r"^~(\d+)$")


# --------------------------------------------------------------------------------------
# Tokens: runs of \w characters, counted with lookup tables
# --------------------------------------------------------------------------------------

_WORD_LUT = np.zeros(0x110000, dtype=bool)
_WORD_KNOWN = np.zeros(0x110000, dtype=bool)
_WORD_RE = re.compile(r"\w")


def _init_lut() -> None:
    for i in range(128):
        _WORD_LUT[i] = bool(_WORD_RE.match(chr(i)))
    _WORD_KNOWN[:128] = True


_init_lut()


_TRANSPARENT_LUT = np.arange(0x110000, dtype=np.uint32)
_TRANSPARENT_LUT[
    [c for c in range(0x3100) if _TRANSPARENT.match(chr(c))]
] = ord(" ")


def _re2_char(ch: str) -> str:
    """One character for an RE2 pattern: ASCII letters and digits as they are, else ``\\x{..}``."""
    return ch if ch.isascii() and ch.isalnum() else f"\\x{{{ord(ch):x}}}"


def _re2_class(codes: np.ndarray) -> str:
    """An RE2 character class body for sorted code points (runs become ranges)."""
    runs = np.split(codes, np.flatnonzero(np.diff(codes) != 1) + 1)
    return "".join(
        _re2_char(chr(r[0])) if len(r) == 1 else f"{_re2_char(chr(r[0]))}-{_re2_char(chr(r[-1]))}"
        for r in runs
    )


#: Every character that is a space in the matching text (the transparent ones and the space
#: itself), as the body of an RE2 class: what the prefilter allows between words.
_RE2_TRANSPARENT = _re2_class(np.flatnonzero(_TRANSPARENT_LUT[:0x3100] == ord(" ")))


def _count_tokens_one(text: str) -> int:
    if not text:
        return 0
    return _count_tokens_codes(
        np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    )


def _count_tokens_codes(a: np.ndarray) -> int:
    if not a.size:
        return 0
    hi = a[a >= 128]
    if hi.size:
        new = np.unique(hi[~_WORD_KNOWN[hi]])
        for c in new.tolist():
            _WORD_LUT[c] = bool(_WORD_RE.match(chr(c)))
        _WORD_KNOWN[new] = True
    w = _WORD_LUT[a]
    return int(w[0]) + int(np.count_nonzero(w[1:] & ~w[:-1]))


# --------------------------------------------------------------------------------------
# Term compilation
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _lemma_forms() -> dict[str, list[str]]:
    """Inverse of spaCy's English lemma lookup table: lemma -> its inflected forms (sorted).

    Inverting the 185,000 entries takes 0.1-0.15 s of CPU; the inverse is kept in the
    cache (kind ``lemma_forms``, keyed by the tables' SHA-256) and read in about 0.02 s.
    """
    try:
        import spacy_lookups_data
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError(
            "Inflection-aware matching needs spacy-lookups-data: pip install spacy-lookups-data"
        ) from exc
    from toolkit.cache import cache_key, cached, file_sha256

    base = Path(spacy_lookups_data.__file__).parent / "data"
    paths = [p for p in (base / "en_lemma_lookup.json.gz", base / "en_lemma_exc.json.gz")
             if p.exists()]
    key = cache_key(kind="lemma_forms", tables=[[p.name, file_sha256(p)] for p in paths],
                    matcher=MATCHER_VERSION)

    def write(value: dict[str, list[str]], path: Path) -> None:
        path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")

    def read(path: Path) -> dict[str, list[str]]:
        value = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(value, dict) or "sell" not in value:
            raise ValueError("not an inverted lemma table")
        return value

    try:
        return cached("lemma_forms", key, suffix=".json", build=lambda: _invert_lemmas(paths),
                      write=write, read=read)
    except OSError:  # a cache home that cannot be written: invert in memory
        return _invert_lemmas(paths)


def _invert_lemmas(paths: list[Path]) -> dict[str, list[str]]:
    """Lemma -> sorted lower-case forms, from spaCy's lookup table and its exceptions."""
    inv: dict[str, set[str]] = {}
    with gzip.open(paths[0], "rt", encoding="utf-8") as fh:
        for form, lemma in json.load(fh).items():
            inv.setdefault(lemma.lower(), set()).add(form.lower())
    for path in paths[1:]:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for table in json.load(fh).values():
                for form, lemmas in table.items():
                    for lemma in lemmas:
                        inv.setdefault(lemma.lower(), set()).add(form.lower())
    return {k: sorted(v) for k, v in inv.items()}


def inflections(word: str) -> list[str]:
    """Return ``word`` and its inflected forms, from spaCy's English lemma lookup table.

    Parameters
    ----------
    word : str
        A lemma, e.g. ``"sell"``.

    Returns
    -------
    list of str
        Lower case, ``word`` first, then the other forms sorted (``["sell", "selling",
        "sells", "sold"]``); just ``[word]`` for a word absent from the table.
    """
    w = word.lower()
    forms = set(_lemma_forms().get(w, ())) | {w}
    forms = {f for f in forms if f and " " not in f}
    return [w, *sorted(forms - {w})]


@dataclass(frozen=True)
class _Term:
    text: str
    slots: tuple[tuple[tuple, ...], ...]  # per slot: alternative symbol sequences
    case_sensitive: bool
    raw: str | None = None

    @cached_property
    def verify(self) -> re.Pattern | None:
        if not self.case_sensitive:
            return None
        return re.compile(_symbols_regex_alternatives(self.slots, verify=True), re.IGNORECASE)


def _word_symbols(word: str, *, case: bool = False) -> tuple:
    out = []
    for ch in word:
        if ch in "'\u2019":
            out.append(("apos",))
        else:
            out.append(("C", ch) if case else ("c", ch.lower()))
    return tuple(out)


def _raw_term(term: str) -> _Term:
    """A ``re:<pattern>`` entry, checked to compile and to have no capturing group."""
    raw = term[3:]
    try:
        rx = re.compile(raw)
    except re.error as exc:
        raise ValueError(f"term {term!r} is not a valid regular expression: {exc}") from exc
    if rx.groups:
        raise ValueError(
            f"term {term!r} has capturing groups; write them as (?:...) instead."
        )
    return _Term(term, (), False, raw=raw)


def _word_alternatives(term: str, word: str) -> tuple[tuple[tuple, ...], bool]:
    """The alternative symbol sequences of one word of ``term``, and its case sensitivity."""
    case_sensitive = False
    exact = word.startswith("=")
    if exact:
        word = word[1:]
    wild = word.endswith("*")
    if wild:
        word = word[:-1]
    if not word:
        raise ValueError(f"term {term!r} has an empty word.")
    parts = [p for p in re.split(r"[\-\u2010\u2011\u2013]", word)]
    if any(not p for p in parts):
        raise ValueError(f"term {term!r}: a hyphen must join two non-empty parts.")
    alts: list[tuple] = []
    part_alts = []
    for j, part in enumerate(parts):
        last = j == len(parts) - 1
        if _ACRONYM.match(part):
            case_sensitive = True
            part_alts.append([_word_symbols(part, case=True)])
        elif exact or (wild and last) or not last:
            part_alts.append([_word_symbols(part)])
        else:
            part_alts.append([_word_symbols(f) for f in inflections(part)])
    for combo in itertools.product(*part_alts):
        seq: list = []
        for j, sym in enumerate(combo):
            if j:
                seq.append(("hsep",))
            seq.extend(sym)
        if wild:
            seq.append(("wild",))
        alts.append(tuple(seq))
    return tuple(alts), case_sensitive


def _parse_term(term: str) -> _Term:
    """Parse one dictionary entry into slots of alternative symbol sequences."""
    if term.startswith("re:"):
        return _raw_term(term)
    words = term.split()
    slots: list[tuple[tuple, ...]] = []
    case_sensitive = False
    for i, word in enumerate(words):
        gap = _GAP.match(word)
        if gap:
            if i == 0 or i == len(words) - 1:
                raise ValueError(f"term {term!r}: '~N' must stand between two words.")
            slots.append(((("sep",), ("gap", int(gap.group(1)))),))
            continue
        if i:
            prev_gap = _GAP.match(words[i - 1])
            if not prev_gap:
                slots.append(((("sep",),),))
        alts, case = _word_alternatives(term, word)
        case_sensitive = case_sensitive or case
        slots.append(alts)
    n = math.prod(len(s) for s in slots)
    if n > _MAX_FORMS:
        raise ValueError(
            f"term {term!r} expands to {n} forms (limit {_MAX_FORMS}); mark words exact with "
            "'=' or split the term."
        )
    return _Term(term, tuple(slots), case_sensitive)


def _symbol_regex(sym: tuple, *, verify: bool = False) -> str:
    """Regex of one symbol; for the lower-cased text, or (``verify``) the original text."""
    kind = sym[0]
    if kind == "c":
        return re.escape(sym[1])
    if kind == "C":
        return f"(?-i:{re.escape(sym[1])})" if verify else re.escape(sym[1].lower())
    if kind == "apos":
        return " "
    if kind == "sep":
        return _SEP
    if kind == "hsep":
        return _HSEP
    if kind == "wild":
        return r"\w*"
    if kind == "gap":
        return rf"(?:\w+ +){{0,{sym[1]}}}"
    raise AssertionError(sym)


def _symbols_regex_alternatives(slots, *, verify: bool = False) -> str:
    parts = []
    for slot in slots:
        alts = ["".join(_symbol_regex(s, verify=verify) for s in seq) for seq in slot]
        parts.append("(?:" + "|".join(sorted(alts, key=len, reverse=True)) + ")")
    return "".join(parts)


# --------------------------------------------------------------------------------------
# The matcher: one trie regex for a whole dictionary
# --------------------------------------------------------------------------------------


class _Node:
    __slots__ = ("children", "ends")

    def __init__(self) -> None:
        self.children: dict[tuple, _Node] = {}
        self.ends: list[int] = []


_SPECIAL_ORDER = {"apos": 0, "hsep": 1, "sep": 2, "gap": 3, "wild": 4}


def _child_order(item: tuple[tuple, _Node]) -> tuple:
    sym = item[0]
    if sym[0] in ("c", "C"):
        return (0, sym[1].lower(), sym[0])
    return (1, "", _SPECIAL_ORDER[sym[0]])


class _Matcher:
    """One compiled regex for a whole dictionary, plus the tables to tally its matches."""

    def __init__(self, dictionary: Dictionary) -> None:
        self.categories = dictionary.category_names
        term_cats: dict[str, list[int]] = {}
        for ci, c in enumerate(dictionary.categories):
            for t in c.terms:
                term_cats.setdefault(t, []).append(ci)
        self.term_texts = list(term_cats)
        self.terms = [_parse_term(t) for t in self.term_texts]
        self.term_categories = [np.array(v, dtype=np.intp) for v in term_cats.values()]
        root = _Node()
        raws: list[int] = []
        for ti, term in enumerate(self.terms):
            if term.raw is not None:
                raws.append(ti)
                continue
            for combo in itertools.product(*term.slots):
                node = root
                for sym in itertools.chain.from_iterable(combo):
                    node = node.children.setdefault(sym, _Node())
                if ti not in node.ends:
                    node.ends.append(ti)
        self.group_terms: list[tuple[int, ...]] = [()]  # group 0 is the whole match
        body = self._emit(root) if root.children else ""
        alts = [body] if body else []
        for ti in raws:
            alts.append(f"(?:{self.terms[ti].raw})()")
            self.group_terms.append((ti,))
        # The leading literal space (the text gets one prepended, and every transparent
        # character became a space) lets the regex engine jump from word start to word
        # start: about twice as fast as a (?<!\w) look-behind.
        self.pattern = " (?:" + "|".join(alts) + ")"
        self.regex = re.compile(self.pattern)
        self.group_categories = [
            np.unique(np.concatenate([self.term_categories[t] for t in ts]))
            if ts
            else np.array([], dtype=np.intp)
            for ts in self.group_terms
        ]
        self.group_needs_verify = [
            any(self.terms[t].case_sensitive for t in ts) for ts in self.group_terms
        ]
        #: A looser RE2 pattern (case-insensitive, for the original texts) that every text
        #: with a match also matches; None when a ``re:`` entry makes one impossible.
        self.prefilter = None if raws or not root.children else _prefilter_emit(root)
        if self.prefilter is not None and len(self.prefilter) > _MAX_PREFILTER_CHARS:
            self.prefilter = None  # RE2's automaton outgrows its memory: slower than none
        #: The same condition as up to 3 patterns (their union), each starting with a literal
        #: of 4 or more characters where the terms allow: one pass each is faster than one
        #: pass of an alternation, because RE2 can search for a literal start.
        self.prefilter_branches = [] if self.prefilter is None else _prefilter_branches(root)

    def _emit(self, node: _Node) -> str:
        alts = []
        for sym, child in sorted(node.children.items(), key=_child_order):
            alts.append(_symbol_regex(sym) + self._emit(child))
        if node.ends:
            self.group_terms.append(tuple(node.ends))
            alts.append(r"(?!\w)()")
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    @staticmethod
    def prepare(text: str) -> tuple[str, str, int]:
        """Return the matching text, its same-case version and the token count.

        The matching text is ``text`` with one leading space, transparent characters
        replaced by spaces (length-preserving, via a numpy lookup table) and lower-cased.
        """
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        n_tokens = _count_tokens_codes(codes)
        plain = " " + _TRANSPARENT_LUT[codes].tobytes().decode("utf-32-le", "surrogatepass")
        return _lower_same_length(plain), plain, n_tokens

    def _valid_terms(self, g: int, plain: str, start: int, end: int) -> tuple[int, ...]:
        ts = self.group_terms[g]
        if not self.group_needs_verify[g]:
            return ts
        piece = plain[start + 1 : end + 1]
        return tuple(
            t for t in ts if self.terms[t].verify is None or self.terms[t].verify.fullmatch(piece)
        )

    def iter_matches(self, text: str) -> Iterator[tuple[int, int, tuple[int, ...]]]:
        """Yield ``(start, end, term indices)`` (offsets in ``text``) for every match."""
        low, plain, _ = self.prepare(text)
        for m in self.regex.finditer(low):
            start, end = m.start(), m.end() - 1
            terms = self._valid_terms(m.lastindex, plain, start, end)
            if terms:
                yield start, end, terms

    def match_categories(self, terms: tuple[int, ...]) -> np.ndarray:
        return np.unique(np.concatenate([self.term_categories[t] for t in terms]))

    def count(self, text: str) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Return (category counts, term counts, number of matches, tokens) for one text."""
        cat = np.zeros(len(self.categories), dtype=np.int64)
        term = np.zeros(len(self.terms), dtype=np.int64)
        n = 0
        low, plain, n_tokens = self.prepare(text)
        for m in self.regex.finditer(low):
            g = m.lastindex
            if self.group_needs_verify[g]:
                ts = self._valid_terms(g, plain, m.start(), m.end() - 1)
                if not ts:
                    continue
                cat[self.match_categories(ts)] += 1
            else:
                ts = self.group_terms[g]
                cat[self.group_categories[g]] += 1
            term[list(ts)] += 1
            n += 1
        return cat, term, n, n_tokens


# --------------------------------------------------------------------------------------
# The prefilter: a necessary condition, checked on whole columns at once
# --------------------------------------------------------------------------------------


def _prefilter_symbol(sym: tuple) -> str:
    """RE2 regex of one symbol for the *original* text, matching a superset of what
    :func:`_symbol_regex` matches in the matching text (same positions, one to one)."""
    kind = sym[0]
    t = _RE2_TRANSPARENT
    if kind in ("c", "C"):
        # the matching text is lower-cased: RE2's case folding (ignore_case) covers every
        # pair str.lower makes (checked over all of Unicode in tests/keywords/test_matcher)
        return "".join(_re2_char(ch) for ch in sym[1].lower())
    if kind == "apos":
        return f"[{t}]"
    if kind == "sep":
        return f"[{t}]+"
    if kind == "hsep":
        return f"[{t}]*"
    if kind == "wild":  # \w* in the matching text: characters that were not transparent
        return f"[^{t}]*"
    if kind == "gap":
        return f"(?:[^{t}]+[{t}]+){{0,{sym[1]}}}"
    raise AssertionError(sym)


def _prefilter_emit(node: _Node) -> str:
    """The prefilter of a trie: its paths without the word boundaries, each cut at the first
    term end (a text holding a longer term holds the shorter prefix too)."""
    if node.ends:
        return ""
    alts = list(dict.fromkeys(
        _prefilter_symbol(sym) + _prefilter_emit(child)
        for sym, child in sorted(node.children.items(), key=_child_order)
    ))
    if "" in alts:
        return ""
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def _literal_chain(rx: str, n_lit: int, node: _Node) -> tuple[str, int, _Node]:
    """Follow ``node`` down its single-child, literal symbols: the longer prefix, its number
    of characters and the node where the trie branches or a term ends."""
    while not node.ends and len(node.children) == 1:
        ((sym, child),) = node.children.items()
        if sym[0] not in ("c", "C"):
            break
        rx, n_lit, node = rx + _prefilter_symbol(sym), n_lit + len(sym[1]), child
    return rx, n_lit, node


def _prefilter_branches(root: _Node, *, max_branches: int = 3,
                        min_literal: int = 4) -> list[str]:
    """The prefilter split into at most ``max_branches`` patterns whose union it is.

    Branches whose literal start is shorter than ``min_literal`` characters are split at
    their next branching (shortest first) while the count stays within ``max_branches``;
    "sell ~2 weapon" gives ``sell...`` and ``sold...``. Without such a split: one pattern.
    """
    branches = [_literal_chain("", 0, root)]
    while True:
        short = [i for i, (_, n, node) in enumerate(branches)
                 if n < min_literal and not node.ends
                 and all(sym[0] in ("c", "C") for sym in node.children)]
        if not short:
            break
        i = min(short, key=lambda k: branches[k][1])
        rx, n, node = branches[i]
        kids = [_literal_chain(rx + _prefilter_symbol(sym), n + len(sym[1]), child)
                for sym, child in sorted(node.children.items(), key=_child_order)]
        if len(branches) - 1 + len(kids) > max_branches:
            break
        branches[i:i + 1] = kids
    return list(dict.fromkeys(rx + _prefilter_emit(node) for rx, _, node in branches))


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
