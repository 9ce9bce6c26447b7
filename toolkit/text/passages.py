"""Sentences and passages: the one splitter of the toolkit, for one text or a corpus.

:func:`passage_spans` finds the character spans of the sentences or paragraphs of a text;
:func:`split_sentences` returns the sentences of one text and :func:`split_passages` turns a
corpus table into a table of passages that keeps each document's metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from toolkit._validation import check_option, require_columns
from toolkit.cache import cache_key, cached, frame_fingerprint

__all__ = ["passage_spans", "split_passages", "split_sentences"]

_ABBREV = frozenset(
    "mr mrs ms dr st no nos art arts para paras prof gen lt col sr jr vs etc e.g i.e u.s "
    "u.k u.n h.e rev hon gov pres sen rep dept fig jan feb mar apr jun jul aug sep sept oct "
    "nov dec co corp inc ltd op cf al".split()
)
_SENT_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_BLANK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE_END = re.compile(r"(?<=[.!?:\"\u201d])[ \t]*\n\s*")


def _paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """Paragraphs: blank-line separated blocks; without blank lines, lines ending a sentence.

    Hard-wrapped texts (lines broken mid-sentence) are thus kept together.
    """
    rx = _BLANK if _BLANK.search(text) else _LINE_END
    bounds, pos = [], 0
    for m in rx.finditer(text):
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentences: split at . ! ? followed by space and a capital/digit, inside paragraphs.

    Common abbreviations (Mr., U.S., Art., No.) and single-letter initials do not end a
    sentence.
    """
    out = []
    for ps, pe in _paragraph_bounds(text):
        pos = ps
        for m in _SENT_END.finditer(text, ps, pe):
            before = text[pos : m.start()].rsplit(None, 1)
            last = before[-1].lower().rstrip(".") if before else ""
            last = last.lstrip("(\"'\u201c")
            if last in _ABBREV or (len(last) == 1 and last.isalpha()):
                continue
            out.append((pos, m.start() + 1))
            pos = m.end()
        out.append((pos, pe))
    return [(s, e) for s, e in out if text[s:e].strip()]


def passage_spans(text: str, *, unit: str = "sentence") -> list[tuple[int, int]]:
    """Character spans of the sentences or paragraphs of one text.

    The one sentence and paragraph splitter of the toolkit: :func:`split_sentences`,
    :func:`split_passages` and :func:`toolkit.keywords.extract_passages` all use it.

    Parameters
    ----------
    text : str
        One document.
    unit : {"sentence", "paragraph"}, default="sentence"
        The passage unit.

    Returns
    -------
    list of (int, int)
        ``(start, end)`` offsets into ``text``, in order; blank passages are dropped.

    Notes
    -----
    Paragraphs are blocks separated by blank lines; a text without blank lines is split
    at line breaks that follow ., !, ?, : or a closing quote (so hard-wrapped lines stay
    together). Sentences are split inside paragraphs at ., ! or ? followed by whitespace
    and a capital letter or digit, except after common abbreviations (Mr., U.S., Art.,
    No.) and single-letter initials.
    """
    check_option("unit", unit, ("sentence", "paragraph"))
    return _sentence_bounds(text) if unit == "sentence" else _paragraph_bounds(text)


def split_sentences(text: str) -> list[str]:
    """Split one text into sentences, with the toolkit's one splitter (:func:`passage_spans`).

    Parameters
    ----------
    text : str
        One document.

    Returns
    -------
    list of str
        The sentences, stripped, in order.
    """
    return [text[s:e].strip() for s, e in passage_spans(text, unit="sentence")]


#: Bump when the passage boundaries change, so cached passage tables are rebuilt.
_PASSAGES_VERSION = 1

_COLUMNS_HINT = "Rename or add them (see toolkit.corpora.schema.STANDARD_COLUMNS)."


def split_passages(
    corpus: pd.DataFrame,
    *,
    unit: str = "paragraph",
    progress: bool = False,
    use_cache: bool = False,
    cache_home: str | None = None,
) -> pd.DataFrame:
    """Split every document into passages, keeping its metadata and its id.

    Passage boundaries are those of :func:`passage_spans` (paragraphs are
    blank-line separated blocks, or lines ending a sentence when a text has no blank lines;
    sentences split at end punctuation followed by a capital, except after abbreviations), and
    passage ids are those of :func:`toolkit.keywords.extract_passages`
    (``<doc_id>#p<i>`` / ``<doc_id>#s<i>``). So a matrix built once on all passages also has
    a row for every passage that ``extract_passages`` returns (see
    :func:`toolkit.alignment.issue_similarity_panel`).

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with at least ``doc_id`` and ``text``. Not modified.
    unit : {"paragraph", "sentence"}, default="paragraph"
        The passage unit.
    progress : bool, default=False
        Show a progress bar over documents.
    use_cache : bool, default=False
        Keep the passage texts in the toolkit cache (kind ``"passages"``), keyed by an exact
        fingerprint of ``doc_id`` and ``text`` and by ``unit``; the metadata columns are
        attached afresh, so other columns may differ between calls (the full UNGDC: about
        11 s to split, about 1 s to read back).
    cache_home : str or None, default=None
        Override of the cache folder.

    Returns
    -------
    DataFrame
        One row per passage: ``doc_id`` (passage id), ``text`` (the passage), the corpus's
        other columns, ``parent_doc_id`` and ``passage_index``. ``attrs["passages"]`` counts
        documents and passages.
    """
    if unit not in {"paragraph", "sentence"}:
        raise ValueError(f"unit={unit!r} is not supported; use 'paragraph' or 'sentence'.")
    require_columns(corpus, ["doc_id", "text"], what="corpus", hint=_COLUMNS_HINT)

    def build() -> pd.DataFrame:
        # Element by element: Series.astype(str) on an Arrow-backed column builds a fixed-width
        # NumPy array padded to the longest text (5.98 GB for the UNGDC speeches).
        texts = ["" if pd.isna(t) else str(t) for t in corpus["text"].tolist()]
        if progress and len(texts) > 1000:
            texts_iter: Iterable[str] = tqdm(texts, desc=f"split {unit}s", unit="doc")
        else:
            texts_iter = texts
        pieces = [[t[s:e].strip() for s, e in passage_spans(t, unit=unit)] for t in texts_iter]
        lengths = np.array([len(p) for p in pieces], dtype=np.int64)
        return pd.DataFrame(
            {
                "doc_index": np.repeat(np.arange(len(pieces), dtype=np.int64), lengths),
                "text": [p for ps in pieces for p in ps],
            }
        )

    if use_cache:
        key = cache_key(
            kind="passages", corpus=frame_fingerprint(corpus), unit=unit, version=_PASSAGES_VERSION
        )
        table = cached(
            "passages", key, suffix=".parquet", build=build,
            write=lambda v, path: v.to_parquet(path, index=False),
            read=pd.read_parquet, cache_home=cache_home,
        )
    else:
        table = build()
    counts = np.bincount(table["doc_index"].to_numpy(), minlength=len(corpus)).astype(np.int64)
    meta = corpus.drop(columns=["text"]).reset_index(drop=True)
    out = meta.loc[np.repeat(np.arange(len(meta)), counts)].reset_index(drop=True)
    parent = out["doc_id"].astype(str)
    index = np.concatenate([np.arange(c) for c in counts]) if len(counts) else np.zeros(0, np.int64)
    tag = "p" if unit == "paragraph" else "s"
    out["doc_id"] = (parent + f"#{tag}" + pd.Series(index, dtype="int64").astype(str)).to_numpy()
    out.insert(1, "text", table["text"].to_numpy(dtype=object))
    out["parent_doc_id"] = parent.to_numpy()
    out["passage_index"] = index.astype(np.int64)
    out.attrs = {
        **corpus.attrs,
        "passages": {
            "unit": unit,
            "n_docs": len(corpus),
            "n_passages": int(counts.sum()),
            "n_docs_without_text": int((counts == 0).sum()),
        },
    }
    return out
