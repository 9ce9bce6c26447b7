"""The two tokenisation engines, spaCy loading and phrase joining.

Both engines turn texts into the same integer arrays (forms, token ids, document
offsets, raw token counts); :mod:`toolkit.text.tokens` wraps them in a
:class:`~toolkit.text.Tokens` table. See the docstring of :mod:`toolkit.text` for how the
fast engine gives spaCy's tokens.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from toolkit.text.lexicon import LEMMA_OVERRIDES
from toolkit.text.normalization import Normalizer

__all__ = ["load_spacy"]


@functools.lru_cache(maxsize=4)
def load_spacy(model: str = "blank", *, lemmatize: bool = True) -> Any:
    """Return a spaCy pipeline (cached per process).

    Parameters
    ----------
    model : str, default="blank"
        ``"blank"``: ``spacy.blank("en")`` + lookup ``lemmatizer`` (tables from
        ``spacy-lookups-data``, with :data:`LEMMA_OVERRIDES`) + ``sentencizer``. Offline.
        Otherwise the name of an installed trained pipeline such as ``"en_core_web_sm"``,
        which brings POS tags, rule-based lemmas and NER.
    lemmatize : bool, default=True
        Add the lookup lemmatizer to the blank pipeline.

    Returns
    -------
    spacy.language.Language
        The pipeline; the same object for the same arguments within a process.

    Raises
    ------
    ImportError
        If ``spacy-lookups-data`` or the named pipeline is not installed.
    """
    import spacy

    if model == "blank":
        nlp = spacy.blank("en")
        if lemmatize:
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.add_pipe("sentencizer")
        try:
            nlp.initialize()
        except (ValueError, OSError) as exc:  # pragma: no cover - depends on install
            raise ImportError(
                "spaCy's lookup lemmas need the package 'spacy-lookups-data': "
                "pip install spacy-lookups-data"
            ) from exc
        if lemmatize:
            table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
            for key, value in LEMMA_OVERRIDES.items():
                table[key] = value
        return nlp
    try:
        return spacy.load(model)
    except OSError as exc:
        raise ImportError(
            f"spaCy pipeline {model!r} is not installed. Install it with pip (e.g. "
            f"`pip install {model}` from a wheel) or use model='blank' (offline default)."
        ) from exc


def _blank_tokenizer() -> Any:
    """A new tokenizer of a blank English pipeline (the rules of ``load_spacy("blank")``)."""
    import spacy

    return spacy.blank("en").tokenizer


@functools.lru_cache(maxsize=1)
def _lemma_table() -> dict[str, str]:
    """spaCy's lookup-lemma table with :data:`LEMMA_OVERRIDES` applied."""
    table = load_spacy("blank").get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    return table


@functools.lru_cache(maxsize=1)
def _special_cases() -> frozenset[str]:
    """The strings spaCy's tokenizer treats as special cases (never "pure letters")."""
    return frozenset(load_spacy("blank").tokenizer.rules)


#: Documents tokenised (and phrase-joined, and counted by ``features.build_dtm``) per block:
#: a pass holds one block's strings and temporaries at a time, never the whole corpus's.
_BLOCK_DOCS = 256

#: Phrases are joined over runs of blocks of at least this many tokens (the per-phrase
#: searches cost the same for a short block as for a long one).
_JOIN_TOKENS = 2**20

#: One block of tokenised documents: token ids (int32) and tokens per document (int64).
_Block = tuple[np.ndarray, np.ndarray]


def _blocks(n: int, size: int | None = None) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` covering ``range(n)`` in steps of ``size`` (default _BLOCK_DOCS)."""
    size = max(int(size or _BLOCK_DOCS), 1)
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def _new_offsets(offsets: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Document offsets (int64) after dropping the tokens where ``keep`` is False.

    Counted block by block of documents, so no token-length int64 array is made.
    """
    out = np.zeros(len(offsets), dtype=np.int64)
    for a, b in _blocks(len(offsets) - 1):
        lo = offsets[a]
        csum = np.concatenate([[0], np.cumsum(keep[lo : offsets[b]], dtype=np.int64)])
        out[a + 1 : b + 1] = out[a] + csum[offsets[a + 1 : b + 1] - lo]
    return out


class _AutoIndex(dict):
    """dict that numbers unseen keys on lookup (``d[k]`` -> 0, 1, 2, ...)."""

    def __missing__(self, key: str) -> int:
        value = len(self)
        self[key] = value
        return value


@dataclass(frozen=True)
class _FormRules:
    """How a token's text becomes its form, and which forms are kept."""

    lemmatize: bool
    lowercase: bool
    join_hyphens: bool
    min_chars: int

    def word(self, text: str, lemma: str | None) -> str:
        form = lemma if (self.lemmatize and lemma) else text
        if len(form) > 2 and form[-1] == ".":
            form = form[:-1]  # abbreviations: "Mr." -> "mr", "U.S." -> "u.s"
        return form.lower() if self.lowercase else form

    def keep(self, form: str) -> bool:
        return len(form) >= self.min_chars and form[:1].isalpha()

    def group(self, texts: list[str], lemmas: list[str | None]) -> list[str]:
        """Forms of the tokens of one whitespace-free chunk."""
        out: list[str] = []
        n = len(texts)
        i = 0
        while i < n:
            t = texts[i]
            if (
                self.join_hyphens
                and i + 2 < n
                and texts[i + 1] == "-"
                and t.isalpha()
                and texts[i + 2].isalpha()
            ):
                parts = [t]
                j = i + 1
                while j + 1 < n and texts[j] == "-" and texts[j + 1].isalpha():
                    parts.append(texts[j + 1])
                    j += 2
                form = "_".join(p.lower() if self.lowercase else p for p in parts)
                i = j
            else:
                form = self.word(t, lemmas[i])
                i += 1
            if self.keep(form):
                out.append(form)
        return out


def _forms_spacy(texts: Sequence[str], rules: _FormRules, model: str, progress: bool,
                 batch_size: int = 64) -> tuple[list[list[str]], list[int]]:
    nlp = load_spacy(model, lemmatize=rules.lemmatize)
    disable = [p for p in nlp.pipe_names if p in ("ner", "parser", "sentencizer")]
    out, n_raw = [], []
    docs = nlp.pipe(texts, batch_size=batch_size, disable=disable)
    for doc in tqdm(docs, total=len(texts), desc="spaCy", disable=not progress):
        forms: list[str] = []
        ts: list[str] = []
        ls: list[str | None] = []
        for tok in doc:
            if tok.is_space:
                forms.extend(rules.group(ts, ls)) if ts else None
                ts, ls = [], []
                continue
            ts.append(tok.text)
            ls.append(tok.lemma_)
            if tok.whitespace_:
                forms.extend(rules.group(ts, ls))
                ts, ls = [], []
        if ts:
            forms.extend(rules.group(ts, ls))
        out.append(forms)
        n_raw.append(len(forms))
    return out, n_raw


#: Most chunks :func:`chunk_memo` keeps per form rules (it starts afresh beyond this).
_MEMO_MAX = 1_000_000

#: The forms of tokenised chunks per form rules, kept for the life of the process while
#: :func:`chunk_memo` is on (a Dask worker's partitions share it); off by default, so
#: a kernel keeps nothing after its matrix is built.
_CHUNK_MEMO: dict[_FormRules, dict[str, list[str]]] = {}
#: The blank tokenizer the memo's misses go through, per form rules: one per process for
#: as long as the memo holds, instead of a new pipeline (0.14 s) and new lexemes per table.
_MEMO_TOKENIZER: dict[_FormRules, Any] = {}
#: spaCy's tokenizer grows its vocabulary and cache as it goes: the threads of a Dask
#: worker (or of the local threaded scheduler) take turns with the memo's tokenizer.
_MEMO_LOCK = threading.Lock()
_MEMO_ON: contextvars.ContextVar[bool] = contextvars.ContextVar("fptk_chunk_memo",
                                                                default=False)


@contextlib.contextmanager
def chunk_memo() -> Iterator[None]:
    """Share the spaCy-tokenised chunks between the tables tokenised inside the block.

    The fast engine tokenises every distinct whitespace-free chunk of a table once. A
    process that tokenises many small tables (the partitions of a Dask corpus on a
    worker) would tokenise the same frequent chunks again for each; inside this context
    the forms of a chunk are looked up in a per-process memo (at most :data:`_MEMO_MAX`
    chunks per form rules, then it starts afresh) that outlives the block, and the chunks
    not in it go through one blank tokenizer kept with the memo (not a new one per table).
    A chunk's forms do not depend on the table it is in, so the tokens are the same with
    or without it. :func:`clear_chunk_memo` empties both.
    """
    token = _MEMO_ON.set(True)
    try:
        yield
    finally:
        _MEMO_ON.reset(token)


def clear_chunk_memo() -> None:
    """Empty the memo of :func:`chunk_memo` (e.g. when a build ran in the user's process)."""
    with _MEMO_LOCK:
        _CHUNK_MEMO.clear()
        _MEMO_TOKENIZER.clear()


def _chunk_forms(chunks: list[str], rules: _FormRules, tokenizer: Any = None
                 ) -> list[list[str]]:
    """Forms of each whitespace-free chunk, tokenised as spaCy's tokenizer would.

    ``tokenizer`` (default: the one of ``load_spacy("blank")``) must be a blank English
    tokenizer; a private one lets a large corpus's new words leave with it. Inside
    :func:`chunk_memo`, chunks tokenised before in this process are taken from its memo.
    """
    if _MEMO_ON.get():
        memo = _CHUNK_MEMO.setdefault(rules, {})
        out = [memo.get(c) for c in chunks]
        missed = [i for i, f in enumerate(out) if f is None]
        if missed:
            with _MEMO_LOCK:
                if len(memo) + len(missed) > _MEMO_MAX:
                    memo.clear()
                    _MEMO_TOKENIZER.pop(rules, None)  # its vocabulary goes with the memo
                if rules not in _MEMO_TOKENIZER:
                    _MEMO_TOKENIZER[rules] = _blank_tokenizer()
                found = _chunk_forms_uncached([chunks[i] for i in missed], rules,
                                              _MEMO_TOKENIZER[rules])
                for i, forms in zip(missed, found, strict=True):
                    out[i] = memo[chunks[i]] = forms
        return out  # type: ignore[return-value]
    return _chunk_forms_uncached(chunks, rules, tokenizer)


def _chunk_forms_uncached(chunks: list[str], rules: _FormRules, tokenizer: Any = None
                          ) -> list[list[str]]:
    """:func:`_chunk_forms` without the memo."""
    specials = _special_cases()
    table = _lemma_table() if rules.lemmatize else {}
    lemma_cache: dict[str, str] = {}

    def lemma(t: str) -> str:
        v = lemma_cache.get(t)
        if v is None:
            v = table.get(t, t) if rules.lemmatize else t
            lemma_cache[t] = v
        return v

    out: list[list[str] | None] = [None] * len(chunks)
    hard: list[int] = []
    for i, c in enumerate(chunks):
        if c.isalpha() and c not in specials:
            form = rules.word(c, lemma(c))
            out[i] = [form] if rules.keep(form) else []
        else:
            hard.append(i)
    if hard:
        tokenizer = tokenizer or load_spacy("blank").tokenizer
        # Tokenise the hard chunks in batches joined by single spaces; a token followed by a
        # space closes its chunk (spaCy splits on spaces first, so chunks are independent).
        step = 20000
        for start in range(0, len(hard), step):
            idx = hard[start : start + step]
            doc = tokenizer(" ".join(chunks[i] for i in idx))
            k = 0
            ts: list[str] = []
            for tok in doc:
                ts.append(tok.text)
                if tok.whitespace_ or tok.i == len(doc) - 1:
                    out[idx[k]] = _group_with_spaces(ts, rules, lemma)
                    k += 1
                    ts = []
            if k != len(idx):  # pragma: no cover - would be a tokenizer surprise
                raise RuntimeError("chunk/token alignment failed in the fast tokenizer")
    return out  # type: ignore[return-value]


def _group_with_spaces(ts: list[str], rules: _FormRules, lemma: Callable[[str], str]
                       ) -> list[str]:
    # Inside one chunk spaCy may emit whitespace tokens (e.g. "\n" from a normaliser that
    # kept it); those break hyphen compounds exactly as in the spaCy engine.
    out: list[str] = []
    cur: list[str] = []
    for t in ts:
        if t.isspace():
            if cur:
                out.extend(rules.group(cur, [lemma(x) for x in cur]))
            cur = []
        else:
            cur.append(t)
    if cur:
        out.extend(rules.group(cur, [lemma(x) for x in cur]))
    return out


class _NewKeys(_AutoIndex):
    """:class:`_AutoIndex` that also lists the keys it numbered since :meth:`take_new`."""

    def __init__(self) -> None:
        super().__init__()
        self._new: list[str] = []

    def __missing__(self, key: str) -> int:
        self._new.append(key)
        return super().__missing__(key)

    def take_new(self) -> list[str]:
        new, self._new = self._new, []
        return new


class _Buffer:
    """A growable 1-D array (amortised doubling), for tables built block by block."""

    def __init__(self, dtype: Any) -> None:
        self._a = np.zeros(1024, dtype=dtype)
        self.n = 0

    def extend(self, values: np.ndarray) -> None:
        need = self.n + len(values)
        if need > len(self._a):
            grown = np.zeros(max(need, 2 * len(self._a)), dtype=self._a.dtype)
            grown[: self.n] = self._a[: self.n]
            self._a = grown
        self._a[self.n : need] = values
        self.n = need

    def view(self) -> np.ndarray:
        return self._a[: self.n]


class _ChunkTable:
    """The forms of each unique whitespace-free chunk, numbered in order of first appearance.

    ``code(chunk)`` numbers a chunk; :meth:`update` tokenises the chunks numbered since the
    last call (once each) and numbers their forms in order; :meth:`expand` turns a run of
    chunk codes into token ids. Feeding it the corpus block by block gives the same
    numbers as one pass over the whole corpus.
    """

    def __init__(self, rules: _FormRules, *, private_tokenizer: bool = False) -> None:
        self.rules = rules
        # spaCy's tokenizer keeps every new word (vocab, cache) for as long as it lives: a
        # large corpus gets its own, freed with the table, not the process-wide one
        self.tokenizer = _blank_tokenizer() if private_tokenizer else None
        self.chunks = _NewKeys()
        self.code = self.chunks.__getitem__
        self.forms = _AutoIndex()
        self.length = _Buffer(np.int64)  # forms per chunk
        self.start = _Buffer(np.int64)  # where a chunk's forms start in ``terms``
        self.terms = _Buffer(np.int32)  # the form ids of every chunk, concatenated

    def update(self) -> None:
        new = self.chunks.take_new()
        if not new:
            return
        chunk_forms = _chunk_forms(new, self.rules, self.tokenizer)
        n_forms = np.fromiter(map(len, chunk_forms), dtype=np.int64, count=len(new))
        self.start.extend(self.terms.n + np.cumsum(n_forms) - n_forms)
        self.length.extend(n_forms)
        get = self.forms.__getitem__
        self.terms.extend(np.fromiter((get(f) for fs in chunk_forms for f in fs),
                                      dtype=np.int32, count=int(n_forms.sum())))

    def expand(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Token ids (int32) of ``codes`` and the cumulative token count after each code."""
        tl = self.length.view()[codes]
        ends = np.cumsum(tl)
        total = int(ends[-1]) if len(ends) else 0
        if total == 0:
            return np.zeros(0, np.int32), ends
        gather = np.arange(total, dtype=np.int64) - np.repeat(
            ends - tl - self.start.view()[codes], tl)
        return self.terms.view()[gather], ends


def _tokens_fast(texts: Sequence[str], normalizer: Normalizer | None, rules: _FormRules,
                 progress: bool) -> tuple[np.ndarray, list[_Block]]:
    """The fast engine, streamed over blocks of documents: ``(forms, blocks)``.

    Only one block's texts, chunk codes and temporaries are held at a time; the token
    ids are int32 throughout. The result does not depend on the block size.
    """
    # a large corpus gets a private tokenizer, unless the memo's (per process) is used
    table = _ChunkTable(rules, private_tokenizer=len(texts) > _BLOCK_DOCS and not _MEMO_ON.get())
    code = table.code
    blocks: list[_Block] = []
    bar = tqdm(total=len(texts), desc="tokenise", disable=not progress, unit="doc")
    for a, b in _blocks(len(texts)):
        codes = []
        for text in texts[a:b]:
            if normalizer is not None:
                text = normalizer(text)
            codes.append(np.fromiter(map(code, text.split()), dtype=np.int32))
        table.update()
        n_chunks = np.cumsum([len(c) for c in codes], dtype=np.int64)
        ids, ends = table.expand(np.concatenate(codes))
        del codes
        ends = np.concatenate([[0], ends])
        blocks.append((ids, np.diff(ends[np.concatenate([[0], n_chunks])])))
        bar.update(b - a)
    bar.close()
    forms = np.empty(len(table.forms), dtype=object)
    forms[:] = list(table.forms)
    return forms, blocks


def _phrase_variants(phrases: Sequence[str], forms_index: dict[str, int], rules: _FormRules,
                     ) -> list[tuple[tuple[int, ...], str]]:
    """Token-id sequences that spell each phrase, with the phrase's feature name."""
    table = _lemma_table() if rules.lemmatize else {}
    out: list[tuple[tuple[int, ...], str]] = []
    for phrase in phrases:
        words = phrase.replace("-", " ").split()
        if not words:
            continue
        name = "_".join(w.lower() if rules.lowercase else w for w in words)
        # every way of grouping adjacent words into hyphen compounds ("non_proliferation")
        n = len(words)
        seqs: set[tuple[int, ...]] = set()
        for mask in range(2 ** (n - 1)):
            segs, cur = [], [words[0]]
            for k in range(1, n):
                if mask >> (k - 1) & 1:
                    cur.append(words[k])
                else:
                    segs.append(cur)
                    cur = [words[k]]
            segs.append(cur)
            if len(segs) < 2:
                continue  # one token (e.g. "dual_use" already joined): nothing to join
            options: list[list[int]] = []
            for seg in segs:
                if len(seg) > 1:
                    cands = {"_".join(s.lower() if rules.lowercase else s for s in seg)}
                else:
                    w = seg[0]
                    cands = {rules.word(v, table.get(v, v))
                             for v in {w, w.lower(), w.capitalize(), w.upper()}}
                    cands.add(w.lower() if rules.lowercase else w)
                ids = sorted(forms_index[c] for c in cands if c in forms_index)
                if not ids:
                    break
                options.append(ids)
            if len(options) < len(segs):
                continue  # some word never occurs: the phrase cannot match
            stack: list[tuple[int, ...]] = [()]
            for opt in options:
                stack = [(*s, o) for s in stack for o in opt]
                if len(stack) > 5000:
                    break
            seqs.update(stack)
        out.extend((s, name) for s in sorted(seqs) if len(s) > 1)
    return out


def _phrase_plan(forms: np.ndarray, phrases: Sequence[str], rules: _FormRules
                 ) -> tuple[np.ndarray, list[tuple[tuple[int, ...], int]], np.ndarray] | None:
    """What :func:`_join_phrases` needs, or None when no phrase can match.

    Returns the forms with the phrase names appended (those not already forms, sorted),
    each variant's token-id sequence with its phrase's form id, and a mask of the forms
    that start a variant.
    """
    forms_index = {f: i for i, f in enumerate(forms)}
    variants = _phrase_variants(phrases, forms_index, rules)
    if not variants:
        return None
    name_id = {}
    new_forms = list(forms)
    for name in sorted({name for _, name in variants}):
        if name not in forms_index:
            forms_index[name] = len(new_forms)
            new_forms.append(name)
        name_id[name] = forms_index[name]
    is_first = np.zeros(len(forms), dtype=bool)
    is_first[np.array(sorted({s[0] for s, _ in variants}), dtype=np.int64)] = True
    new = np.empty(len(new_forms), dtype=object)
    new[:] = new_forms
    return new, [(seq, name_id[name]) for seq, name in variants], is_first


def _join_phrases(ids: np.ndarray, lens: np.ndarray,
                  plan: tuple[np.ndarray, list[tuple[tuple[int, ...], int]], np.ndarray]
                  ) -> tuple[np.ndarray, np.ndarray, int]:
    """Join the phrases of one block of documents: ``(ids, lens, n_joined)``.

    A phrase never crosses documents; where matches overlap, the earliest start wins,
    then the longest. Blocks are independent, so joining block by block equals one pass.
    """
    _, variants, is_first = plan
    n = len(ids)
    if n == 0:
        return ids, lens, 0
    doc_of = np.repeat(np.arange(len(lens)), lens)
    cand = np.flatnonzero(is_first[ids])
    cand_tok = ids[cand]
    order = np.argsort(cand_tok, kind="stable")
    cand, cand_tok = cand[order], cand_tok[order]
    starts_l, lens_l, pid_l = [], [], []
    for seq, pid in variants:
        lo, hi = np.searchsorted(cand_tok, seq[0]), np.searchsorted(cand_tok, seq[0], "right")
        pos = cand[lo:hi]
        L = len(seq)
        pos = pos[pos + L <= n]
        for k in range(1, L):
            if len(pos) == 0:
                break
            pos = pos[ids[pos + k] == seq[k]]
        pos = pos[doc_of[pos] == doc_of[pos + L - 1]] if len(pos) else pos
        if len(pos):
            starts_l.append(pos)
            lens_l.append(np.full(len(pos), L))
            pid_l.append(np.full(len(pos), pid))
    if not starts_l:
        return ids, lens, 0
    st = np.concatenate(starts_l)
    ln = np.concatenate(lens_l)
    pid = np.concatenate(pid_l)
    order = np.lexsort((-ln, st))  # by start, longest first
    st, ln, pid = st[order], ln[order], pid[order]
    accept = np.zeros(len(st), dtype=bool)
    last_end = -1
    for i, (s, L) in enumerate(zip(st.tolist(), ln.tolist())):
        if s >= last_end:
            accept[i] = True
            last_end = s + L
    st, ln, pid = st[accept], ln[accept], pid[accept]
    out = ids.copy()
    out[st] = pid
    keep = np.ones(n, dtype=bool)
    drop = np.repeat(st, ln - 1) + (np.arange(int((ln - 1).sum())) -
                                    np.repeat(np.cumsum(ln - 1) - (ln - 1), ln - 1)) + 1
    keep[drop] = False
    csum = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
    new_lens = np.diff(csum[np.concatenate([[0], np.cumsum(lens)])])
    return out[keep].astype(np.int32), new_lens, len(st)


def _apply_phrases(forms: np.ndarray, blocks: list[_Block], phrases: Sequence[str],
                   rules: _FormRules) -> tuple[np.ndarray, list[_Block]]:
    """Join ``phrases`` in every block (emptying ``blocks``): ``(forms, new blocks)``.

    The phrase names become forms only when some phrase matched.
    """
    plan = _phrase_plan(forms, phrases, rules) if phrases else None
    if plan is None:
        return forms, blocks
    out: list[_Block] = []
    n_joined = 0
    while blocks:  # consecutive blocks joined up to _JOIN_TOKENS: one pass per group
        group = [blocks.pop(0)]
        size = len(group[0][0])
        while blocks and size < _JOIN_TOKENS:
            group.append(blocks.pop(0))
            size += len(group[-1][0])
        ids = np.concatenate([g[0] for g in group]) if len(group) > 1 else group[0][0]
        lens = np.concatenate([g[1] for g in group]) if len(group) > 1 else group[0][1]
        del group
        ids, lens, n = _join_phrases(ids, lens, plan)
        out.append((ids, lens))
        n_joined += n
    return (plan[0] if n_joined else forms), out


def _tokens_spacy(texts: Sequence[str], normalizer: Normalizer | None, rules: _FormRules,
                  model: str, progress: bool) -> tuple[np.ndarray, list[_Block]]:
    """The spaCy engine: ``(forms, blocks)``, as :func:`_tokens_fast`."""
    if normalizer is not None:
        texts = [normalizer(t) for t in texts]
    lists, n_raw_l = _forms_spacy(texts, rules, model, progress)
    index = _AutoIndex()
    ids = np.fromiter((index[f] for fs in lists for f in fs), dtype=np.int32)
    offsets = np.concatenate([[0], np.cumsum([len(fs) for fs in lists])]).astype(np.int64)
    forms = np.empty(len(index), dtype=object)
    forms[:] = list(index)
    lens = np.asarray(n_raw_l, dtype=np.int64)
    return forms, [(ids[offsets[a] : offsets[b]], lens[a:b]) for a, b in _blocks(len(lens))]


def _token_arrays(texts: Sequence[str], *, normalizer: Normalizer | None, rules: _FormRules,
                  phrases: Sequence[str], engine: str, model: str,
                  progress: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run one engine, then join ``phrases``: ``(forms, ids, offsets, n_raw)``.

    ``ids`` is int32; ``offsets`` (n_docs + 1) and ``n_raw`` (tokens before phrase
    joining, n_docs) are int64.
    """
    if engine == "fast":
        fast_norm = normalizer.for_tokens() if normalizer is not None else None
        forms, blocks = _tokens_fast(texts, fast_norm, rules, progress)
    else:
        forms, blocks = _tokens_spacy(texts, normalizer, rules, model, progress)
    n_raw = np.concatenate([np.zeros(0, np.int64)] + [lens for _, lens in blocks])
    forms, blocks = _apply_phrases(forms, blocks, phrases, rules)
    lens = np.concatenate([np.zeros(0, np.int64)] + [lens for _, lens in blocks])
    offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    ids = np.empty(int(offsets[-1]), dtype=np.int32)  # pages are touched as blocks arrive
    pos = 0
    while blocks:
        block = blocks.pop(0)[0]  # freed once copied
        ids[pos : pos + len(block)] = block
        pos += len(block)
    return forms, ids, offsets, n_raw
