"""The SIPRI Arms Transfers Database trade register, and transfers by year.

:func:`load_sipri` reads the register's CSV export (columns :data:`SIPRI_COLUMNS`) with ISO3
parties; :func:`arms_transfers` counts deals and SIPRI TIV per supplier, recipient and
year; :func:`delivery_series` gives yearly deliveries of chosen pairs, with the years of none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit._validation import check_option, require_columns
from toolkit.actors import to_iso3
from toolkit.cache import file_sha256
from toolkit.external._common import _need, _report, _resolve

__all__ = ["SIPRI_COLUMNS", "arms_transfers", "delivery_series", "load_sipri"]

#: Named columns the SIPRI trade register must have, in order (blank-named uncertainty
#: flag columns sit after "Year of order", "Number ordered" and "Number delivered").
SIPRI_COLUMNS: tuple[str, ...] = (
    "Recipient",
    "Supplier",
    "Year of order",
    "Number ordered",
    "Weapon designation",
    "Weapon description",
    "Number delivered",
    "Year(s) of delivery",
    "status",
    "Comments",
    "SIPRI TIV per unit",
    "SIPRI TIV for total order",
    "SIPRI TIV of delivered weapons",
)


def _find_header(lines: list[str], file: Path) -> int:
    for i, line in enumerate(lines):
        fields = [f.strip() for f in next(csv.reader([line]), [])]
        if "Recipient" in fields and "Supplier" in fields:
            return i
    shown = "\n  ".join(x.rstrip()[:100] for x in lines[:15])
    raise ValueError(
        f"{file}: no column row with 'Recipient' and 'Supplier' in the first {len(lines)} lines. "
        f"Expected a SIPRI trade register exported as CSV with columns {list(SIPRI_COLUMNS)}. "
        f"The file begins:\n  {shown}"
    )


def _to_number(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.str.replace(",", "", regex=False).str.strip().replace("", np.nan),
                         errors="coerce")


def _sipri_codes(names: pd.Series, *, successor_seats: bool = True
                 ) -> tuple[pd.Series, list[dict]]:
    """SIPRI party names -> ISO3; '*' = non-state armed actor, '**' = organisation."""
    uniq = pd.Series(pd.unique(names.fillna("")))
    codes: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    plain = []
    for name in uniq:
        n = name.strip()
        if n.endswith("**"):
            if n[:-2].strip().casefold() == "european union":
                codes[name] = "EU"
            else:
                codes[name], reasons[name] = None, "international organisation (SIPRI '**')"
        elif n.endswith("*"):
            codes[name], reasons[name] = None, "non-state armed actor (SIPRI '*')"
        elif n.casefold().startswith("unknown") or not n:
            codes[name], reasons[name] = None, "unknown party in the register"
        else:
            plain.append(name)
    conv = to_iso3(plain, src="name", unknown="ignore", successor_seats=successor_seats)
    why = {u["value"]: u["reason"] for u in conv.attrs["unmatched"]}
    for name, code in zip(plain, conv.tolist()):
        codes[name] = None if pd.isna(code) else code
        if codes[name] is None:
            reasons[name] = why.get(name, "no ISO3 match")
    mapped = names.fillna("").map(codes).astype("string")
    counts = names.fillna("").value_counts()
    unmatched = [{"value": k, "count": int(counts.get(k, 0)), "reason": v}
                 for k, v in reasons.items()]
    return mapped, sorted(unmatched, key=lambda u: -u["count"])


def load_sipri(
    path: str | Path | None = None,
    *,
    encoding: str = "latin-1",
    max_header_lines: int = 60,
    successor_seats: bool = True,
    unknown: Literal["warn", "raise", "ignore"] = "warn",
) -> pd.DataFrame:
    """Read the SIPRI Arms Transfers Database trade register (CSV export).

    The export starts with free-text lines (11 in the May 2026 file) before the column
    row; the column row is found by looking for "Recipient" and "Supplier", and the
    named columns in :data:`SIPRI_COLUMNS` are required.

    Parameters
    ----------
    path : str or Path or None, default=None
        The CSV, or a folder holding ``trade-register.csv``. Default:
        ``<external home>/sipri/trade-register.csv``.
    encoding : str, default="latin-1"
        SIPRI exports are Latin-1.
    max_header_lines : int, default=60
        How many lines to search for the column row.
    successor_seats : bool, default=True
        Code SIPRI's "Soviet Union" (to 1991) as RUS, the code of the continuing seat used
        by UNGDC and the UN votes; with False it is SUN. The ``supplier``/``recipient``
        names always keep SIPRI's distinction.
    unknown : {"warn", "raise", "ignore"}, default="warn"
        About parties without an ISO3 code: non-state actors (SIPRI marks them ``*``),
        organisations (``**``, except the European Union -> EU), "unknown supplier(s)",
        dissolved states without a code (South Vietnam). They are kept with NA codes.

    Returns
    -------
    DataFrame
        One row per deal: ``recipient``, ``supplier`` (SIPRI names), ``recipient_iso3``,
        ``supplier_iso3`` (the Soviet Union is RUS, East Germany DDR), ``order_year``
        (Int64), ``order_year_uncertain`` (bool, "?" in the register), ``number_ordered``,
        ``number_ordered_uncertain``, ``weapon``, ``description``, ``number_delivered``,
        ``number_delivered_uncertain``, ``delivery_years`` (tuple of ints),
        ``first_delivery``, ``last_delivery`` (Int64), ``status``, ``comments``,
        ``tiv_unit``, ``tiv_order``, ``tiv_delivered`` (millions of SIPRI TIV; NaN where
        the register is empty). ``attrs["sipri"]`` (file, checksum, generated line,
        header row) and ``attrs["unmatched"]``.
    """
    where = _resolve(path, "sipri", ["trade-register.csv"], "SIPRI trade register")
    file = _need(where, "trade-register.csv") if where.is_dir() else where
    with open(file, encoding=encoding, newline="") as fh:
        head = [fh.readline() for _ in range(max_header_lines)]
    head = [h for h in head if h]
    skip = _find_header(head, file)
    with open(file, encoding=encoding, newline="") as fh:
        text = fh.read()
    raw = pd.read_csv(io.StringIO(text), skiprows=skip, dtype=str, keep_default_na=False)
    cols = [c.strip() for c in raw.columns]
    missing = [c for c in SIPRI_COLUMNS if c not in cols]
    if missing:
        raise ValueError(
            f"{file}: the column row (line {skip + 1}) lacks {missing}. Found {cols}. "
            f"This reader expects the SIPRI trade register CSV export; if SIPRI changed its "
            f"format, rename the columns to {list(SIPRI_COLUMNS)}."
        )
    raw.columns = cols
    pos = {c: cols.index(c) for c in SIPRI_COLUMNS}

    def flag(after: str) -> pd.Series:
        i = pos[after] + 1
        if i < len(cols) and (cols[i] == "" or cols[i].startswith(".")):
            return raw.iloc[:, i].str.strip() == "?"
        return pd.Series(False, index=raw.index)

    years = raw["Year(s) of delivery"].str.findall(r"\d{4}").map(
        lambda ys: tuple(sorted({int(y) for y in ys})))
    out = pd.DataFrame({
        "recipient": raw["Recipient"].str.strip().astype("string"),
        "supplier": raw["Supplier"].str.strip().astype("string"),
    })
    rec, un_r = _sipri_codes(raw["Recipient"].str.strip(), successor_seats=successor_seats)
    sup, un_s = _sipri_codes(raw["Supplier"].str.strip(), successor_seats=successor_seats)
    out["recipient_iso3"] = rec
    out["supplier_iso3"] = sup
    out["order_year"] = _to_number(raw["Year of order"]).astype("Int64")
    out["order_year_uncertain"] = flag("Year of order")
    out["number_ordered"] = _to_number(raw["Number ordered"])
    out["number_ordered_uncertain"] = flag("Number ordered")
    out["weapon"] = raw["Weapon designation"].astype("string")
    out["description"] = raw["Weapon description"].astype("string")
    out["number_delivered"] = _to_number(raw["Number delivered"])
    out["number_delivered_uncertain"] = flag("Number delivered")
    out["delivery_years"] = years
    out["first_delivery"] = years.map(lambda t: t[0] if t else pd.NA).astype("Int64")
    out["last_delivery"] = years.map(lambda t: t[-1] if t else pd.NA).astype("Int64")
    out["status"] = raw["status"].astype("string")
    out["comments"] = raw["Comments"].astype("string")
    out["tiv_unit"] = _to_number(raw["SIPRI TIV per unit"])
    out["tiv_order"] = _to_number(raw["SIPRI TIV for total order"])
    out["tiv_delivered"] = _to_number(raw["SIPRI TIV of delivered weapons"])
    generated = next((h.strip() for h in head[:skip] if h.startswith("Data generated")), None)
    unmatched = ([dict(u, value=f"recipient {u['value']!r}") for u in un_r]
                 + [dict(u, value=f"supplier {u['value']!r}") for u in un_s])
    bad_year = int(out["order_year"].isna().sum())
    if bad_year:
        unmatched.append({"value": "Year of order", "count": bad_year,
                          "reason": "not a year (kept as NA)"})
    out.attrs["sipri"] = {"file": file.name, "sha256": file_sha256(file), "header_row": skip,
                          "generated": generated, "n_deals": len(out)}
    out.attrs["unmatched"] = unmatched
    _report(unmatched, "SIPRI party name(s)", unknown)
    return out


def _party_mask(col_iso: pd.Series, col_name: pd.Series, who: str | Sequence[str]) -> pd.Series:
    wanted = [who] if isinstance(who, str) else list(who)
    codes = set()
    for w in wanted:
        if isinstance(w, str) and (w in set(col_iso.dropna()) or w == "EU"):
            codes.add(w)
            continue
        c = to_iso3(w, unknown="ignore")
        if pd.isna(c):
            if (col_name == w).any():
                continue
            raise ValueError(f"{w!r} is neither an ISO3 code, a country name nor a SIPRI party "
                             f"name in this register")
        codes.add(c)
    return col_iso.isin(list(codes)).fillna(False) | col_name.isin(wanted)


def arms_transfers(
    sipri: pd.DataFrame,
    *,
    supplier: str | Sequence[str] | None = None,
    recipient: str | Sequence[str] | None = None,
    by: Literal["year", "delivery_year", "order_year"] = "year",
    start: int | None = None,
    end: int | None = None,
    per_pair: bool = True,
) -> pd.DataFrame:
    """Supplier -> recipient transfers by year: number of deals and SIPRI TIV.

    Parameters
    ----------
    sipri : DataFrame
        From :func:`load_sipri`.
    supplier, recipient : str or sequence of str or None, default=None
        ISO3 codes, country names or SIPRI party names; None = all.
    by : {"year", "delivery_year", "order_year"}, default="year"
        ``"year"`` is ``"delivery_year"``: a deal counts in every year it had a delivery and
        its ``SIPRI TIV of delivered weapons`` is spread **evenly** over its years of
        delivery (the register lists those years but not the units delivered in each, so
        this is an approximation of SIPRI's own yearly TIV tables). ``"order_year"``: a
        deal counts once in its year of order, with its full delivered TIV and its
        ``SIPRI TIV for total order``.
    start, end : int or None, default=None
        Keep years in [start, end].
    per_pair : bool, default=True
        One row per supplier, recipient and year; with False, summed over pairs.

    Returns
    -------
    DataFrame
        ``supplier``, ``recipient``, ``supplier_iso3``, ``recipient_iso3`` (with per_pair),
        ``year``, ``deals``, ``tiv_delivered``; with ``by="order_year"`` also ``tiv_order``.
        TIV in millions. Years with no transfer are absent.
    """
    check_option("by", by, ("year", "delivery_year", "order_year"))
    require_columns(sipri, ["supplier", "recipient", "supplier_iso3", "recipient_iso3",
                            "order_year", "delivery_years", "tiv_delivered"],
                    what="arms_transfers", noun="SIPRI table", hint="Read it with load_sipri().")
    df = sipri
    if supplier is not None:
        df = df[_party_mask(df["supplier_iso3"], df["supplier"], supplier)]
    if recipient is not None:
        df = df[_party_mask(df["recipient_iso3"], df["recipient"], recipient)]
    keys = ["supplier", "recipient", "supplier_iso3", "recipient_iso3"]
    if by == "order_year":
        long = df.assign(year=df["order_year"], deals=1)
        if "tiv_order" not in long:
            long = long.assign(tiv_order=np.nan)
        value_cols = ["deals", "tiv_order", "tiv_delivered"]
    else:
        n_years = df["delivery_years"].map(len)
        long = df.assign(n_years=n_years)[n_years > 0].explode("delivery_years")
        long = long.assign(year=long["delivery_years"].astype("Int64"), deals=1,
                           tiv_delivered=long["tiv_delivered"] / long["n_years"])
        value_cols = ["deals", "tiv_delivered"]
    long = long[long["year"].notna()]
    if start is not None:
        long = long[long["year"] >= start]
    if end is not None:
        long = long[long["year"] <= end]
    group = [*keys, "year"] if per_pair else ["year"]
    out = (long[[*group, *value_cols]]
           .groupby(group, dropna=False)
           .agg({c: ("sum" if c == "deals" else lambda s: s.sum(min_count=1))
                 for c in value_cols})
           .reset_index())
    out["deals"] = out["deals"].astype(np.int64)
    out["year"] = out["year"].astype("Int64")
    out = out.sort_values([*group[:-1], "year"] if per_pair else ["year"]).reset_index(drop=True)
    out.attrs["arms_transfers"] = {"by": "delivery_year" if by == "year" else by,
                                   "tiv": "millions of SIPRI TIV"}
    return out


def delivery_series(
    sipri: pd.DataFrame,
    pairs: Sequence[Sequence[str | None]],
    *,
    start: int,
    end: int,
) -> pd.DataFrame:
    """Deliveries per year for chosen supplier -> recipient pairs, with the years of none.

    Parameters
    ----------
    sipri : DataFrame
        From :func:`load_sipri`.
    pairs : sequence of (supplier, recipient)
        ISO3 codes or SIPRI names; None on either side means any party (``("CHN", "RUS")``,
        ``(None, "UKR")`` for all suppliers of Ukraine).
    start, end : int
        The years, inclusive; every pair gets one row per year.

    Returns
    -------
    DataFrame
        ``pair`` ("CHN → RUS", "all → UKR"), ``supplier``, ``recipient`` (as given, "all"
        for None), ``year``, ``deals`` and ``tiv_delivered`` (millions of TIV, delivered TIV
        spread evenly over a deal's delivery years as in :func:`arms_transfers`); zero where
        SIPRI records no delivery. In the order of ``pairs``, then year.
    """
    if start > end:
        raise ValueError(f"start ({start}) is after end ({end}).")
    years = pd.Index(range(int(start), int(end) + 1), name="year")
    parts = []
    for supplier, recipient in pairs:
        got = arms_transfers(sipri, supplier=supplier, recipient=recipient, by="year",
                             start=start, end=end, per_pair=False)
        got = got.set_index(got["year"].astype(int))[["deals", "tiv_delivered"]]
        got = got.reindex(years, fill_value=0).reset_index()
        s_name, r_name = supplier or "all", recipient or "all"
        parts.append(got.assign(pair=f"{s_name} → {r_name}", supplier=s_name,
                                recipient=r_name))
    cols = ["pair", "supplier", "recipient", "year", "deals", "tiv_delivered"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)[cols]
    out["deals"] = out["deals"].astype(np.int64)
    out["tiv_delivered"] = out["tiv_delivered"].astype(float)
    out.attrs["arms_transfers"] = {"by": "delivery_year", "tiv": "millions of SIPRI TIV"}
    return out
