"""The CMFA PressCon corpus (China's Ministry of Foreign Affairs press conferences), v4 schema.

One document per question/answer pair. The **answer is the text by default**
(``text="answer"``): it is what the Ministry says, the foreign-policy statement a
researcher analyses, while the question is a journalist's framing and is kept as the
``question`` column. ``text="question"`` analyses the questions instead (the answer is
then kept as ``answer``); ``text="both"`` joins question and answer with a blank line.

Mapping to the standard columns: ``doc_id`` = ``"cmfa_<id>"``; ``actor`` = ``"CHN"``,
``actor_name`` = ``"China"``; ``speaker`` = the spokesperson (NA where the source
says ``"missing"``); ``post`` = ``"Spokesperson, Ministry of Foreign Affairs"``;
``date``, ``year``; ``source`` = ``"cmfa_ukraine"``. Extras: ``cmfa_id`` (int),
``id_orig``, ``id_split`` (str; ``"27153_1"`` marks one part of a question the corpus
split by topic), ``link``, ``who_asked`` (the outlet, from 2020 on), the lemmatised
``question_lem``/``answer_lem``, the named entities ``q_loc`` ... ``a_misc``
(``"; "``-separated strings) and ``q_sentiment``/``a_sentiment``. The source's ``"-"``
placeholder is NA.

In a split question the source sometimes gives the joint answer to one part and ``"-"``
to the other. Such a document has no text of its own: by default it is a counted skip
(``on_empty="skip"``, listed in ``attrs["corpus"]["skipped"]``); ``on_empty="error"``
refuses it.

Mochtak, M. & Turcsanyi, R. Q. (2021), "Studying Chinese Foreign Policy Narratives:
Introducing the Ministry of Foreign Affairs Press Conferences Corpus", *Journal of
Chinese Political Science* 26(4). doi:10.1007/s11366-021-09762-3.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Literal

import pandas as pd

from toolkit.cache import file_sha256
from toolkit.corpora._loading import OnEmpty, check_on_empty, stamp_corpus, validate_source
from toolkit.corpora.cards import identify_release, locate
from toolkit.corpora.schema import standardize_columns

__all__ = ["CMFA_COLUMNS", "CMFA_FILE", "load_cmfa"]

CMFA_FILE = "ukraine_dataset_combined.xlsx"
#: The 24 columns of the v4 schema.
CMFA_COLUMNS = (
    "id_orig", "id_split", "id", "link", "spokesperson", "day", "month", "year", "date",
    "question", "answer", "question_lem", "answer_lem", "who_asked",
    "q_loc", "q_per", "q_org", "q_misc", "a_loc", "a_per", "a_org", "a_misc",
    "a_sentiment", "q_sentiment",
)
_PLACEHOLDERS = ("-", "missing")
_ENTITY_COLUMNS = ("who_asked", "q_loc", "q_per", "q_org", "q_misc",
                   "a_loc", "a_per", "a_org", "a_misc")

TextChoice = Literal["answer", "question", "both"]


def _resolve(path: str | os.PathLike | None) -> Path:
    if path is None:
        return locate("cmfa_ukraine")
    p = Path(path).expanduser()
    if not p.exists():
        raise FileNotFoundError(f"CMFA file {p} does not exist.")
    if p.is_dir():
        candidate = p / CMFA_FILE
        if not candidate.is_file():
            raise FileNotFoundError(
                f"No {CMFA_FILE} in {p}. Pass the path of the CMFA PressCon .xlsx file."
            )
        return candidate
    return p


def _na_placeholders(s: pd.Series) -> pd.Series:
    s = s.astype("string").str.strip()
    return s.mask(s.isin(_PLACEHOLDERS) | (s == ""))


def _read_cmfa(file: Path) -> pd.DataFrame:
    """The spreadsheet as it is; an error unless it has every v4 column."""
    try:
        raw = pd.read_excel(file, dtype={"id_split": str})
    except Exception as exc:  # openpyxl/zipfile raise many kinds
        raise ValueError(f"{file} is not a readable Excel file: {exc}") from exc
    missing = [c for c in CMFA_COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(
            f"{file} is not in the CMFA PressCon v4 schema: it lacks the columns {missing} "
            f"(it has {list(raw.columns)})."
        )
    return raw


def _cmfa_documents(raw: pd.DataFrame, *, text: TextChoice) -> pd.DataFrame:
    """One row per Q/A pair: the chosen text, the standard columns and the extras."""
    question = _na_placeholders(raw["question"])
    answer = _na_placeholders(raw["answer"])
    if text == "answer":
        body = answer
    elif text == "question":
        body = question
    else:
        body = (question.fillna("") + "\n\n" + answer.fillna("")).str.strip()
        body = body.mask(body == "")
    doc_id = "cmfa_" + raw["id"].astype("int64").astype(str)
    df = pd.DataFrame(
        {
            "doc_id": doc_id,
            "text": body,
            "actor": "CHN",
            "actor_name": "China",
            "year": raw["year"],
            "date": pd.to_datetime(raw["date"], errors="coerce"),
            "speaker": _na_placeholders(raw["spokesperson"]),
            "post": "Spokesperson, Ministry of Foreign Affairs",
            "cmfa_id": raw["id"].astype("int64"),
            "id_orig": raw["id_orig"].astype("int64"),
            "id_split": raw["id_split"].astype("string"),
            "link": raw["link"].astype("string"),
        }
    )
    if text != "question":
        df["question"] = question
    if text != "answer":
        df["answer"] = answer
    df["question_lem"] = _na_placeholders(raw["question_lem"])
    df["answer_lem"] = _na_placeholders(raw["answer_lem"])
    for col in _ENTITY_COLUMNS:
        df[col] = _na_placeholders(raw[col])
    df["q_sentiment"] = raw["q_sentiment"].astype("float64")
    df["a_sentiment"] = raw["a_sentiment"].astype("float64")
    return df


def _skip_without_text(
    df: pd.DataFrame, *, file: Path, text: TextChoice, on_empty: OnEmpty
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Drop (with a warning) or refuse the pairs whose chosen text is missing."""
    empty = df["text"].isna()
    if not empty.any():
        return df, []
    ids = df.loc[empty, "doc_id"].tolist()
    if on_empty == "error":
        raise ValueError(
            f"{file}: no {text} text for {ids} (the source has '-'). Pass "
            "on_empty='skip' to skip them (counted), or text='question'/'both'."
        )
    skipped = [
        {"file": f"{file.name}:{d} (id_split {s})",
         "reason": f"no {text} text ('-' in the source; a split question answered in "
                   "its sibling row)"}
        for d, s in zip(ids, df.loc[empty, "id_split"], strict=True)
    ]
    warnings.warn(
        f"CMFA: skipped {len(skipped)} pair(s) without {text} text: {ids}; listed in "
        "df.attrs['corpus']['skipped'].",
        UserWarning,
        stacklevel=3,
    )
    return df.loc[~empty], skipped


def _cmfa_release(sha256: str) -> str | None:
    """The card's release with this checksum; None when unknown or without cards."""
    try:
        return identify_release("cmfa_ukraine", sha256=sha256)
    except (FileNotFoundError, ValueError):
        return None


def load_cmfa(
    path: str | os.PathLike | None = None,
    *,
    text: TextChoice = "answer",
    on_empty: OnEmpty = "skip",
) -> pd.DataFrame:
    """Load the CMFA PressCon (v4 schema) file as a corpus table, one row per Q/A pair.

    Parameters
    ----------
    path : str or path-like or None, default=None
        The ``.xlsx`` file or a folder holding ``ukraine_dataset_combined.xlsx``. None
        looks in ``<data home>/cmfa_ukraine/``.
    text : {"answer", "question", "both"}, default="answer"
        Which text a document carries. The other side is kept as a column
        (``question`` or ``answer``); with ``"both"`` both columns are kept.
    on_empty : {"skip", "error"}, default="skip"
        A pair whose chosen text is missing (``"-"`` in the source) is a counted skip
        (``attrs["corpus"]["skipped"]``, with a warning) or an error.

    Returns
    -------
    DataFrame of shape (n_docs, 9 + n_extras)
        Standard columns and the extras listed in the module docstring, sorted by date
        and id. ``attrs["corpus"]`` holds name, release, sha256 of the file, n_docs,
        skipped and ``text``.

    Raises
    ------
    FileNotFoundError
        No file (the message says where to put it).
    ValueError
        The file lacks v4 columns, or an empty text with ``on_empty="error"``.
    """
    if text not in ("answer", "question", "both"):
        raise ValueError(f"text must be 'answer', 'question' or 'both', got {text!r}.")
    check_on_empty(on_empty)
    file = _resolve(path)
    df, skipped = _skip_without_text(
        _cmfa_documents(_read_cmfa(file), text=text), file=file, text=text, on_empty=on_empty
    )
    df = df.sort_values(["date", "cmfa_id"], kind="stable")
    out = validate_source(standardize_columns(df, source="cmfa_ukraine"), file)
    sha = file_sha256(file)
    return stamp_corpus(out, name="cmfa_ukraine", release=_cmfa_release(sha), sha256=sha,
                        skipped=skipped, path=file, loader="load_cmfa", extra={"text": text})
