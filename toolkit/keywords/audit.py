"""Validate a dictionary: stratified audit samples of KWIC lines, precision and recall.

Grimmer & Stewart (2013) ask researchers to "validate, validate, validate" a dictionary
before they report counts. This module draws the samples a person reads and labels
(:func:`audit_sample`, :func:`recall_sample`), and turns the labelled sheets into precision
and recall with intervals (:func:`audit_report`, :func:`recall_report`) and agreement between
two readers (:func:`agreement`); :func:`audit_table` reads the result a dictionary carries
(its YAML ``audit:`` block) back as one tidy table for reports. The labels themselves are
never produced here: they come from people reading the lines against
``corpora/annotations/CODEBOOK.md``.

References
----------
Grimmer, J. & Stewart, B. M. (2013). Text as data: the promise and pitfalls of automatic
content analysis methods for political texts. *Political Analysis* 21(3), 267-297.
Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., ch. 5 (stratified estimation).
Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
Psychological Measurement* 20(1), 37-46.
Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small
expected number of positive counts estimated from survey data. *Survey Methodology* 24,
193-201 (the effective sample size used for the stratified interval).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit._validation import check_ci_level, check_int, require_columns
from toolkit.keywords.dictionary import load_dictionary
from toolkit.keywords.kwic import kwic
from toolkit.keywords.trends import count_matches
from toolkit.periods import assign_period
from toolkit.text import split_passages
from toolkit.uncertainty import wilson_interval

__all__ = [
    "AUDIT_COLUMNS",
    "AUDIT_TABLE_COLUMNS",
    "agreement",
    "audit_report",
    "audit_sample",
    "audit_table",
    "recall_report",
    "recall_sample",
]

#: The columns of an annotation sheet, in order (extra columns follow).
AUDIT_COLUMNS = ("doc_id", "start", "end", "category", "left", "match", "right", "label", "note")

_YES, _NO, _UNSURE = "1", "0", "?"


def _stratum_rng(random_state: int, key: tuple) -> np.random.Generator:
    """A generator per stratum, so adding a stratum does not change the others' draws."""
    return np.random.default_rng([int(random_state), zlib.crc32(repr(key).encode("utf-8"))])


def _explode_categories(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per (line, category): a match in two categories is audited in both."""
    out = lines.assign(category=lines["category"].astype(str).str.split(";")).explode("category")
    return out.reset_index(drop=True)


def _draw(population: pd.DataFrame, strata: Sequence[str], n_per_stratum: int,
          random_state: int) -> pd.DataFrame:
    """Sample up to ``n_per_stratum`` rows of every stratum; record the stratum's size."""
    parts = []
    for key, group in population.groupby(list(strata), sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        rng = _stratum_rng(random_state, key)
        take = min(n_per_stratum, len(group))
        chosen = group.iloc[np.sort(rng.choice(len(group), size=take, replace=False))]
        parts.append(chosen.assign(stratum="|".join(map(str, key)), stratum_n=len(group)))
    return pd.concat(parts, ignore_index=True) if parts else population.iloc[:0]


def audit_sample(
    corpus: pd.DataFrame,
    dictionary: Any,
    *,
    n_per_stratum: int,
    strata: Sequence[str] = ("category", "decade"),
    random_state: int,
    categories: Sequence[str] | None = None,
    window: int = 100,
    n_double: int = 0,
    path: str | Path | None = None,
) -> pd.DataFrame:
    """Draw a stratified random sample of KWIC lines for people to label.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table (``doc_id``, ``text``, ``actor``, ``year``; ``source`` to stratify by
        corpus when several are concatenated).
    dictionary : str, path, mapping or Dictionary
        The dictionary audited.
    n_per_stratum : int
        Lines drawn per stratum (all of them when a stratum has fewer).
    strata : sequence of str, default=("category", "decade")
        Columns that define strata: ``category``, ``decade`` (from ``year``), ``year``,
        ``actor``, ``source`` or any other corpus column (carried into the lines and the
        sheet). A name that is neither raises a ValueError that lists the columns.
    random_state : int
        Seed. Each stratum draws from its own generator seeded by ``random_state`` and the
        stratum's key, so the same seed gives the same lines.
    categories : sequence of str or None, default=None
        Audit only these categories; None audits every category.
    window : int, default=100
        Characters of context each side.
    n_double : int, default=0
        Mark a random subset of this many rows with ``double = 1`` for a second reader.
    path : str or path or None, default=None
        Also write the sheet as CSV there (UTF-8); an existing file is never overwritten.

    Returns
    -------
    DataFrame of shape (n_lines, 9 + k)
        The columns of :data:`AUDIT_COLUMNS` (``label`` and ``note`` empty), then
        ``term``, ``source``, ``actor``, ``year``, ``decade``, the other corpus columns of
        ``strata``, ``stratum``, ``stratum_n``
        (lines in the stratum: the population size for weighting), ``line_id`` and
        ``double``. Rows are in a random order (seeded) so that a reader does not see the
        strata in blocks.
    """
    n_per_stratum = check_int("n_per_stratum", n_per_stratum, min_value=1)
    d = load_dictionary(dictionary)
    # corpus columns the lines carry: source, and any stratum that is a corpus column
    extra = [c for c in dict.fromkeys(("source", *strata))
             if c in corpus.columns and c not in ("doc_id", "text", "actor", "year")]
    lines = kwic(corpus, None, dictionary=d, window=window, columns=extra)
    lines = _explode_categories(lines)
    if categories is not None:
        lines = lines[lines["category"].isin(list(categories))]
    lines["decade"] = assign_period(lines, "decade")
    require_columns(lines, list(strata), what="audit_sample", noun="KWIC table")
    sample = _draw(lines, strata, n_per_stratum, random_state)
    rng = np.random.default_rng(random_state)
    sample = sample.iloc[rng.permutation(len(sample))].reset_index(drop=True)
    sample["line_id"] = [f"L{i + 1:04d}" for i in range(len(sample))]
    sample["label"] = ""
    sample["note"] = ""
    double = np.zeros(len(sample), dtype=np.int64)
    if n_double:
        double[rng.choice(len(sample), size=min(n_double, len(sample)), replace=False)] = 1
    sample["double"] = double
    shown = dict.fromkeys(("source", "actor", "year", "decade", *extra))
    keep = [*AUDIT_COLUMNS, "term", *[c for c in shown if c in sample.columns], "stratum",
            "stratum_n", "line_id", "double"]
    sample = sample[keep]
    sample.attrs["audit"] = {"dictionary": {"name": d.name, "version": d.version,
                                            "hash": d.content_hash},
                             "strata": list(strata), "n_per_stratum": n_per_stratum,
                             "random_state": random_state, "window": window,
                             "n_population": len(lines)}
    if path is not None:
        _write_new(sample, Path(path))
    return sample


def _write_new(table: pd.DataFrame, path: Path) -> None:
    if path.exists():
        raise FileExistsError(
            f"{path} exists; an annotation sheet is never overwritten. Choose another path "
            "or move the old sheet away."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False, encoding="utf-8")


def _read_sheet(sheet: pd.DataFrame | str | Path) -> pd.DataFrame:
    """A sheet as strings: a DataFrame as it is, a CSV path read without NA conversion."""
    if isinstance(sheet, pd.DataFrame):
        return sheet
    return pd.read_csv(sheet, dtype=str, keep_default_na=False)


def _labels(sheet: pd.DataFrame, column: str) -> pd.Series:
    """Labels as "1", "0", "?" or "" (unlabelled); anything else is an error naming rows."""
    raw = sheet[column].fillna("").astype(str).str.strip()
    raw = raw.replace({"1.0": _YES, "0.0": _NO})
    bad = ~raw.isin([_YES, _NO, _UNSURE, ""])
    if bad.any():
        rows = sheet.index[bad][:5].tolist()
        raise ValueError(
            f"Column {column!r} has labels other than 1, 0, ? or empty in rows {rows} "
            f"({raw[bad].unique()[:5].tolist()}). Fix the sheet (see CODEBOOK.md)."
        )
    return raw


def audit_report(
    sheet: pd.DataFrame | str | Path, *, label: str = "label", ci_level: float = 0.95
) -> pd.DataFrame:
    """Precision per category from a labelled audit sheet, with intervals.

    Parameters
    ----------
    sheet : DataFrame or path
        An :func:`audit_sample` sheet with ``label`` filled in (1, 0 or ?).
    label : str, default="label"
        The label column (``"label_b"`` for the second reader).
    ci_level : float, default=0.95
        Confidence level.

    Returns
    -------
    DataFrame
        One row per category: ``n_lines`` (labelled 1 or 0), ``n_relevant``, ``n_unsure``,
        ``n_unlabelled``, ``precision`` (sample share) with Wilson ``ci_low``/``ci_high``,
        and ``precision_weighted`` with ``weighted_ci_low``/``weighted_ci_high``: the
        stratified estimate of corpus-level precision, each stratum weighted by its share
        ``stratum_n / N`` of the category's lines (Cochran 1977, eq. 5.1), with a Wilson
        interval at the effective sample size ``p(1 - p) / var`` (Korn & Graubard 1998),
        where ``var`` is the stratified variance with the finite-population correction
        (Cochran 1977, eq. 5.6). When that variance is 0 (every stratum all relevant or all
        not), the effective size is the number of labelled lines. ``n_eff`` reports it.
    """
    ci_level = check_ci_level(ci_level)
    table = _read_sheet(sheet)
    require_columns(table, ["category", label, "stratum", "stratum_n"], what="audit_report",
                    noun="sheet")
    lab = _labels(table, label)
    rows = []
    for cat, idx in table.groupby("category", sort=True).groups.items():
        rows.append(_category_precision(table.loc[idx], lab.loc[idx], ci_level=ci_level)
                    | {"category": cat})
    cols = ["category", "n_lines", "n_relevant", "n_unsure", "n_unlabelled", "precision",
            "ci_low", "ci_high", "precision_weighted", "weighted_ci_low", "weighted_ci_high",
            "n_eff"]
    return pd.DataFrame(rows, columns=cols)


def _category_precision(part: pd.DataFrame, lab: pd.Series, *, ci_level: float) -> dict:
    known = lab.isin([_YES, _NO])
    y = (lab[known] == _YES).astype(float)
    n, k = int(known.sum()), int(y.sum())
    lo, hi = wilson_interval(k, n, ci_level=ci_level) if n else (np.array([np.nan]),) * 2
    strata = part[known].assign(y=y.to_numpy(), N=pd.to_numeric(part.loc[known, "stratum_n"]))
    g = strata.groupby("stratum").agg(N=("N", "first"), n=("y", "size"), p=("y", "mean"),
                                      s2=("y", "var"))
    est, n_eff = np.nan, np.nan
    wlo = whi = np.array([np.nan])
    if n and g["N"].sum() > 0:
        w = g["N"] / g["N"].sum()
        est = float((w * g["p"]).sum())
        fpc = 1 - g["n"] / g["N"]
        var = float((w**2 * g["s2"].fillna(0.0) / g["n"] * fpc).sum())
        n_eff = min(float(n), est * (1 - est) / var) if var > 0 else float(n)
        wlo, whi = wilson_interval(est * n_eff, n_eff, ci_level=ci_level)
    return {
        "n_lines": n, "n_relevant": k, "n_unsure": int((lab == _UNSURE).sum()),
        "n_unlabelled": int((lab == "").sum()),
        "precision": k / n if n else np.nan, "ci_low": float(lo[0]), "ci_high": float(hi[0]),
        "precision_weighted": est, "weighted_ci_low": float(wlo[0]),
        "weighted_ci_high": float(whi[0]), "n_eff": n_eff,
    }


#: Words that make a sentence a candidate for missed arms-supply talk (case-insensitive).
RECALL_PATTERN = re.compile(
    r"\b(?:weapon\w*|arms|armaments?|munitions?|ammunition|missiles?|military equipment)\b",
    re.IGNORECASE,
)


def recall_sample(
    corpus: pd.DataFrame,
    dictionary: Any,
    *,
    n: int,
    categories: Sequence[str],
    random_state: int,
    pattern: re.Pattern = RECALL_PATTERN,
    n_double: int = 0,
    path: str | Path | None = None,
) -> pd.DataFrame:
    """Sample sentences that mention weapons but that ``categories`` did not match.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table.
    dictionary : str, path, mapping or Dictionary
        The dictionary audited.
    n : int
        Sentences drawn (simple random sample of the candidates).
    categories : sequence of str
        The categories whose recall is estimated (e.g. arms_transfers, military_aid).
    random_state : int
        Seed.
    pattern : compiled regex, default=RECALL_PATTERN
        What makes a sentence a candidate.
    n_double : int, default=0
        Rows marked ``double = 1`` for a second reader.
    path : str or path or None, default=None
        Also write the sheet as CSV there; never overwrites.

    Returns
    -------
    DataFrame
        ``doc_id``, ``sentence_index``, ``start``, ``end``, ``text`` (the sentence),
        ``source``, ``actor``, ``year``, ``label``, ``note``, ``line_id``, ``double``;
        ``attrs["recall"]`` holds the counts needed by :func:`recall_report`: candidate
        sentences with and without a match (``n_matched``, ``n_unmatched``).
    """
    n = check_int("n", n, min_value=1)
    d = load_dictionary(dictionary)
    sents = split_passages(corpus, unit="sentence")
    cand = sents[sents["text"].str.contains(pattern, regex=True)].reset_index(drop=True)
    matched = _has_match(cand, d, categories)
    pool = cand[~matched].reset_index(drop=True)
    rng = np.random.default_rng(random_state)
    take = np.sort(rng.choice(len(pool), size=min(n, len(pool)), replace=False))
    out = pool.iloc[take]
    out = out.iloc[rng.permutation(len(out))].reset_index(drop=True)
    cols = [c for c in ("doc_id", "parent_doc_id", "passage_index", "text", "source", "actor",
                        "year") if c in out.columns]
    out = out[cols].assign(label="", note="")
    out["line_id"] = [f"R{i + 1:04d}" for i in range(len(out))]
    double = np.zeros(len(out), dtype=np.int64)
    if n_double:
        double[rng.choice(len(out), size=min(n_double, len(out)), replace=False)] = 1
    out["double"] = double
    out.attrs["recall"] = {
        "dictionary": {"name": d.name, "version": d.version, "hash": d.content_hash},
        "categories": list(categories), "pattern": pattern.pattern,
        "n_candidates": len(cand), "n_matched": int(matched.sum()),
        "n_unmatched": int((~matched).sum()), "random_state": random_state,
    }
    if path is not None:
        _write_new(out, Path(path))
    return out


def _has_match(sentences: pd.DataFrame, d: Any, categories: Sequence[str]) -> np.ndarray:
    counts = count_matches(sentences[["doc_id", "text"]], d, progress=False, use_cache=False)
    return (counts[list(categories)].to_numpy().sum(axis=1) > 0)


def recall_report(
    sheet: pd.DataFrame | str | Path,
    *,
    n_matched: int,
    n_unmatched: int,
    precision: float,
    label: str = "label",
    ci_level: float = 0.95,
    n_sim: int = 20_000,
    random_state: int = 0,
) -> dict[str, float]:
    """Recall of the dictionary among weapon-word sentences, from a labelled recall sheet.

    Among the candidate sentences, the dictionary finds ``n_matched * precision`` relevant
    ones; the unmatched ones hold ``n_unmatched * p_miss`` more, where ``p_miss`` is the
    share labelled relevant in the sample. Recall is ``found / (found + missed)``. Its
    interval propagates the uncertainty of ``p_miss`` by drawing it from its Jeffreys
    posterior Beta(k + 0.5, n - k + 0.5); precision is held fixed, so the interval is too
    narrow by the precision's own uncertainty (small when precision is near 1).

    Parameters
    ----------
    sheet : DataFrame or path
        A :func:`recall_sample` sheet with ``label`` filled in.
    n_matched, n_unmatched : int
        Candidate sentences with and without a match (``attrs["recall"]`` of the sample).
    precision : float
        Precision of the audited categories among matched sentences.
    label : str, default="label"
        The label column.
    ci_level : float, default=0.95
        Confidence level.
    n_sim : int, default=20000
        Simulation draws for the recall interval.
    random_state : int, default=0
        Seed of the simulation.

    Returns
    -------
    dict
        ``n_labelled``, ``n_relevant``, ``p_miss`` with ``p_miss_ci_low``/``high``
        (Wilson), ``recall`` with ``recall_ci_low``/``high``.
    """
    ci_level = check_ci_level(ci_level)
    table = _read_sheet(sheet)
    lab = _labels(table, label)
    known = lab.isin([_YES, _NO])
    n, k = int(known.sum()), int((lab == _YES).sum())
    lo, hi = wilson_interval(k, n, ci_level=ci_level)
    found = n_matched * precision
    rng = np.random.default_rng(random_state)
    p = rng.beta(k + 0.5, n - k + 0.5, size=n_sim)
    rec = found / (found + n_unmatched * p)
    a = (1 - ci_level) / 2
    return {
        "n_labelled": n, "n_relevant": k, "p_miss": k / n if n else np.nan,
        "p_miss_ci_low": float(lo[0]), "p_miss_ci_high": float(hi[0]),
        "recall": found / (found + n_unmatched * k / n) if n else np.nan,
        "recall_ci_low": float(np.quantile(rec, a)),
        "recall_ci_high": float(np.quantile(rec, 1 - a)),
    }


def _label_text(column: pd.Series) -> pd.Series:
    """Labels as stripped text, "" for missing; a whole float reads as its integer.

    A sheet read by pandas with blank cells in a 0/1 column comes as floats: "1.0" must
    equal the other reader's "1".
    """
    def text(value: Any) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return column.map(text).astype(object)


def agreement(
    sheet: pd.DataFrame | str | Path, *, first: str = "label", second: str = "label_b"
) -> Mapping[str, float]:
    """Cohen's kappa between two readers over the rows both labelled (``?`` excluded).

    Parameters
    ----------
    sheet : DataFrame or path
        A sheet with both label columns.
    first, second : str, default="label", "label_b"
        The two readers' columns.

    Returns
    -------
    dict
        ``n`` (rows both labelled), ``agreement`` (share identical), ``kappa`` (Cohen 1960).
    """
    from sklearn.metrics import cohen_kappa_score

    table = _read_sheet(sheet)
    a, b = _label_text(table[first]), _label_text(table[second])
    both = (a != "") & (b != "") & (a != _UNSURE) & (b != _UNSURE)
    if not both.any():
        return {"n": 0, "agreement": np.nan, "kappa": np.nan}
    return {"n": int(both.sum()), "agreement": float((a[both] == b[both]).mean()),
            "kappa": float(cohen_kappa_score(a[both], b[both]))}


#: The columns of :func:`audit_table`, in order.
AUDIT_TABLE_COLUMNS = ("measure", "category", "label", "estimate", "ci_low", "ci_high", "n",
                       "weighted", "weighted_ci_low", "weighted_ci_high", "sheet")

_KAPPA_LABELS = {"audit": "Dictionary audit lines", "recall": "Recall sentences",
                 "stance": "Stance gold set",
                 "stance_v2": "Stance gold set, batch 2 (same reader, two passes)"}


def audit_table(dictionary: Any) -> pd.DataFrame:
    """The validation a dictionary carries (its YAML ``audit:`` block), as one tidy table.

    Parameters
    ----------
    dictionary : str, path, mapping or Dictionary
        Anything :func:`~toolkit.keywords.load_dictionary` accepts (e.g. ``"arms"``).

    Returns
    -------
    DataFrame
        The columns of :data:`AUDIT_TABLE_COLUMNS`, one row per measure:

        - ``measure = "precision"``: one row per audited category, in dictionary order:
          ``estimate`` (share of the lines read that are relevant) with its Wilson
          interval ``ci_low``/``ci_high``, ``n`` (lines read), ``weighted`` (the
          stratum-weighted, corpus-level precision) with its interval, and ``sheet``;
        - ``measure = "recall"``: the share of arms-supply talk the categories find
          (``category`` lists them, ";"-joined), with its interval and ``n`` sentences read;
        - ``measure = "kappa"``: Cohen's kappa between two readers per double-read sheet
          (``label`` names the sheet, ``n`` the rows both read; no interval).

        ``label`` is the category's label. A dictionary without an audit of its current
        version gives an empty table with these columns. ``attrs["audit"]`` holds
        ``dictionary``, ``version``, ``audited`` (bool), ``audited_version``, ``codebook``,
        ``readers`` and ``note`` (why the table is empty, or "").
    """
    d = load_dictionary(dictionary)
    audit = dict(d.audit or {})
    audited_version = audit.get("version")
    info = {"dictionary": d.name, "version": d.version, "audited": False,
            "audited_version": None if audited_version is None else str(audited_version),
            "codebook": audit.get("codebook"), "readers": audit.get("readers"), "note": ""}
    if not audit:
        info["note"] = f"Dictionary {d.name} v{d.version} carries no audit."
    elif str(audited_version) != d.version:
        info["note"] = (f"The audit of dictionary {d.name} is of version {audited_version}, "
                        f"not of the version used ({d.version}).")
    rows = [] if info["note"] else _audit_rows(d, audit)
    table = pd.DataFrame(rows, columns=list(AUDIT_TABLE_COLUMNS))
    table = table.astype({"estimate": float, "ci_low": float, "ci_high": float, "n": "Int64",
                          "weighted": float, "weighted_ci_low": float,
                          "weighted_ci_high": float})
    info["audited"] = bool(rows)
    info["ci_level"] = float(audit.get("ci_level", 0.95)) if audit else None
    table.attrs["audit"] = info
    table.attrs["methods"] = ["dictionary_audit", "wilson", "cohen_kappa"] if rows else []
    return table


def _audit_rows(d: Any, audit: Mapping[str, Any]) -> list[dict]:
    """The rows of :func:`audit_table` from an ``audit:`` block of the current version."""
    rows = []
    precision = audit.get("precision") or {}
    for name in [c for c in d.category_names if c in precision]:
        rec = precision[name]
        rows.append({"measure": "precision", "category": name, "label": d.labels[name],
                     "estimate": rec.get("precision"), "ci_low": rec.get("ci_low"),
                     "ci_high": rec.get("ci_high"), "n": rec.get("n"),
                     "weighted": rec.get("weighted", np.nan),
                     "weighted_ci_low": rec.get("weighted_ci_low", np.nan),
                     "weighted_ci_high": rec.get("weighted_ci_high", np.nan),
                     "sheet": rec.get("sheet")})
    recall = audit.get("recall")
    if recall:
        cats = list(recall.get("categories") or [])
        rows.append({"measure": "recall", "category": ";".join(cats),
                     "label": " / ".join(d.labels.get(c, c) for c in cats),
                     "estimate": recall.get("recall"), "ci_low": recall.get("ci_low"),
                     "ci_high": recall.get("ci_high"), "n": recall.get("n"),
                     "weighted": np.nan, "weighted_ci_low": np.nan, "weighted_ci_high": np.nan,
                     "sheet": recall.get("sheet")})
    agreement_block = audit.get("agreement") or {}
    for kind, kappa in (agreement_block.get("kappa") or {}).items():
        rows.append({"measure": "kappa", "category": None,
                     "label": _KAPPA_LABELS.get(kind, str(kind)), "estimate": kappa,
                     "ci_low": np.nan, "ci_high": np.nan, "n": agreement_block.get("n_double"),
                     "weighted": np.nan, "weighted_ci_low": np.nan, "weighted_ci_high": np.nan,
                     "sheet": kind})
    return rows
