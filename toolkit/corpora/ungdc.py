"""The UN General Debate Corpus (UNGDC) loader.

Reads the Harvard Dataverse layout ``TXT/Session NN - YYYY/ISO_NN_YYYY.txt`` from the
extracted folder or straight from the ``.tgz``/``.zip`` archive, and joins
``Speakers_by_session.xlsx`` for ``speaker`` and ``post``.

Jankin, Baturo & Dasandi, "Words to unite nations: The complete UN General Debate
Corpus, 1946-present", *Journal of Peace Research* (2025); Baturo, Dasandi & Mikhaylov,
*Research & Politics* (2017). doi:10.7910/DVN/0TJX8Y, CC0.

Seats. The files code a UN seat, not a state: ``CHN`` is the Republic of China's seat up to
and including the 1971 debate (``CHN_26_1971``, Mr. Chow Shu-kai; the General Assembly seated
the People's Republic on 25 October 1971, after the debate) and the People's Republic's from
1972 (the corpus has no 1970 session). ``china_seat="split"`` (default) recodes the former
as ``TWN``. ``RUS`` is the Soviet Union up to 1991 and the Russian Federation from 1992; it
is not recoded, so a RUS series that crosses 1991 joins two states.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from tqdm.auto import tqdm

from toolkit._countries import country_converter
from toolkit._validation import check_option
from toolkit.cache import cache_key, cached, read_frame, source_sha256, write_frame
from toolkit.config import get_data_home
from toolkit.corpora.archive import iter_members, source_kind
from toolkit.corpora.cards import identify_release
from toolkit.corpora.schema import standardize_columns, validate_corpus
from toolkit.exceptions import UngdcError

__all__ = ["UNGDC_LOADER_VERSION", "UngdcError", "find_ungdc_source", "load_ungdc"]

#: Bumped whenever the table this loader produces changes; part of the cache key.
UNGDC_LOADER_VERSION = "4"

SPEAKERS_FILE = "Speakers_by_session.xlsx"
FILENAME_RE = re.compile(r"^(?P<code>[A-Z]{2,4})_(?P<session>\d{1,3})_(?P<year>\d{4})\.txt$")
ARCHIVE_RE = re.compile(r"^UNGDC.*\.(tgz|tar\.gz|tar|zip)$", re.IGNORECASE)
#: The speakers sheet uses other codes than the file names for these actors.
SPEAKER_CODE_ALIASES = {"EC": "EU", "YDYE": "YMD"}
#: Names for codes that country-converter does not know (the sheet supplies the rest).
EXTRA_NAMES = {"EU": "European Union"}
FIRST_SESSION_YEAR = 1945  # session N was held in year 1945 + N
#: The last General Debate in which the Republic of China held the seat coded CHN.
ROC_LAST_YEAR = 1971
ROC_NAME = "Republic of China"

BadFiles = Literal["raise", "skip"]
ChinaSeat = Literal["split", "ungdc"]


# ---------------------------------------------------------------------------- locating
def find_ungdc_source(path: str | os.PathLike | None = None) -> Path:
    """Find the UNGDC folder or archive.

    Parameters
    ----------
    path : str or path-like or None, default=None
        An archive, an extracted folder (holding ``TXT/`` or the session folders) or a
        folder holding a ``UNGDC_*.tgz``/``.zip`` archive. None looks in
        ``<data home>/ungdc``.

    Returns
    -------
    Path
        The archive file or the folder of text files.
    """
    if path is None:
        base = get_data_home() / "ungdc"
        if not base.exists():
            raise FileNotFoundError(
                f"No UNGDC found: {base} does not exist. Run `fptk fetch ungdc`, or put "
                "UNGDC_1946-2024.tgz (or the extracted TXT folder) in that folder, or set "
                "FPTK_DATA_HOME to the folder that holds `ungdc/`."
            )
        path = base
    path = Path(path).expanduser()
    if source_kind(path) != "dir":
        return path
    archives = sorted(p for p in path.iterdir() if p.is_file() and ARCHIVE_RE.match(p.name))
    has_text = (path / "TXT").is_dir() or any(
        p.is_dir() and p.name.startswith("Session") for p in path.iterdir()
    )
    if has_text or not archives:
        return path
    return archives[-1]  # the newest release by name (UNGDC_1946-2024 > UNGDC_1946-2023)


def _find_speakers(source: Path, speakers: str | os.PathLike | None) -> Path | None:
    if speakers is not None:
        p = Path(speakers)
        if not p.is_file():
            raise FileNotFoundError(f"Speakers sheet {p} does not exist.")
        return p
    folder = source if source.is_dir() else source.parent
    for candidate in (folder / SPEAKERS_FILE, folder.parent / SPEAKERS_FILE):
        if candidate.is_file():
            return candidate
    return None


# ---------------------------------------------------------------------------- parsing
def _decode(name: str, data: bytes, errors: str) -> str:
    try:
        text = data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise UngdcError(
            f"{name}: not valid UTF-8 at byte offset {exc.start} "
            f"(byte 0x{data[exc.start]:02x}). Re-encode the file as UTF-8, or pass "
            "errors='replace' to substitute U+FFFD for undecodable bytes."
        ) from exc
    return text.removeprefix("\ufeff")


def _parse_members(
    members: Iterable[tuple[str, bytes | None]],
    *,
    errors: str,
    bad_files: BadFiles,
    progress: bool,
    hash_content: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, str]], bytes | None, str]:
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    speakers_bytes: bytes | None = None
    digest = hashlib.sha256()

    def bad(name: str, reason: str) -> None:
        if bad_files == "raise":
            raise UngdcError(
                f"{name}: {reason}. Fix or remove the file, or pass bad_files='skip' to skip "
                "it (it is then reported in df.attrs['corpus']['skipped'])."
            )
        skipped.append({"file": name, "reason": reason})

    for name, data in tqdm(
        members, desc="UNGDC files", unit="file", disable=not progress, mininterval=0.5
    ):
        base = name.rsplit("/", 1)[-1]
        if data is None:
            skipped.append({"file": name, "reason": "symbolic link or special file"})
            continue
        if hash_content:
            digest.update(name.encode("utf-8") + b"\0" + data)
        if base == SPEAKERS_FILE:
            speakers_bytes = data
            continue
        match = FILENAME_RE.match(base)
        if not match:
            skipped.append({"file": name, "reason": "not a speech file (ISO_NN_YYYY.txt)"})
            continue
        session, year = int(match["session"]), int(match["year"])
        if session != year - FIRST_SESSION_YEAR:
            bad(
                name,
                f"session {session} does not match year {year} (session N is held in "
                f"1945 + N, so {year} is session {year - FIRST_SESSION_YEAR})",
            )
            continue
        nul = data.find(b"\x00")
        if nul >= 0:
            bad(name, f"binary content (NUL byte at offset {nul}), not a text file")
            continue
        text = _decode(name, data, errors)
        if not text or text.isspace():
            bad(name, "empty file")
            continue
        rows.append(
            {
                "doc_id": base[:-4],
                "text": text,
                "actor": match["code"],
                "year": year,
                "session": session,
                "file": name,
            }
        )
    return rows, skipped, speakers_bytes, digest.hexdigest()


def _read_speakers(data: bytes | Path) -> pd.DataFrame:
    src = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        sheet = pd.read_excel(src, engine="calamine")
    except ImportError:  # pragma: no cover - python-calamine is a dependency
        sheet = pd.read_excel(src)
    need = {"Year", "ISO Code", "Country", "Name of Person Speaking", "Post"}
    if missing := need - set(sheet.columns):
        raise UngdcError(
            f"{SPEAKERS_FILE} lacks the columns {sorted(missing)}; found "
            f"{list(sheet.columns)}. Use the sheet from the official release."
        )
    out = pd.DataFrame(
        {
            "year": pd.to_numeric(sheet["Year"], errors="coerce").astype("Int64"),
            "actor": sheet["ISO Code"].astype("string").str.strip().replace(SPEAKER_CODE_ALIASES),
            "country": sheet["Country"].astype("string").str.strip(),
            "speaker": sheet["Name of Person Speaking"].astype("string").str.strip(),
            "post": sheet["Post"].astype("string").str.strip(),
        }
    )
    return out.dropna(subset=["year", "actor"])


def _speakers_per_speech(sheet: pd.DataFrame) -> pd.DataFrame:
    """One row per (actor, year); where the sheet lists several people, join them with '; '."""
    merged: dict[tuple[str, int], tuple[list[str], list[str]]] = {}
    for actor, year, speaker, post in zip(
        sheet["actor"].tolist(), sheet["year"].tolist(), sheet["speaker"].tolist(),
        sheet["post"].tolist(),
    ):
        people, posts = merged.setdefault((actor, int(year)), ([], []))
        if isinstance(speaker, str) and speaker and speaker not in people:
            people.append(speaker)
        if isinstance(post, str) and post and post not in posts:
            posts.append(post)
    return pd.DataFrame(
        [
            (a, y, "; ".join(p) if p else pd.NA, "; ".join(q) if q else pd.NA)
            for (a, y), (p, q) in merged.items()
        ],
        columns=["actor", "year", "speaker", "post"],
    )


def _actor_names(codes: list[str], sheet: pd.DataFrame | None) -> dict[str, str]:
    converted = country_converter().convert(codes, src="ISO3", to="name_short", not_found=None)
    if isinstance(converted, str):
        converted = [converted]
    names = {c: n for c, n in zip(codes, converted) if n and n != c}
    names.update({c: n for c, n in EXTRA_NAMES.items() if c in codes})
    if sheet is not None:  # historical states: the sheet's most frequent name for the code
        named = sheet.dropna(subset=["country"])
        counts = named.groupby(["actor", "country"]).size().reset_index(name="n")
        counts = counts.sort_values(["actor", "n", "country"], ascending=[True, False, True])
        for code, name in counts.drop_duplicates("actor")[["actor", "country"]].itertuples(
            index=False
        ):
            names.setdefault(str(code), str(name))
    return names


def _join_speakers(df: pd.DataFrame, sheet: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """Add ``speaker`` and ``post``; count speeches without a row and rows without a speech."""
    per_speech = _speakers_per_speech(sheet)
    df = df.merge(per_speech, on=["actor", "year"], how="left", validate="many_to_one")
    n_unmatched_speeches = int(df["speaker"].isna().sum())
    keys = set(zip(df["actor"], df["year"]))
    n_unused_rows = int(sum((a, y) not in keys for a, y in zip(per_speech["actor"],
                                                                 per_speech["year"])))
    return df, n_unmatched_speeches, n_unused_rows


def _build(
    source: Path, speakers_path: Path | None, *, errors: str, bad_files: BadFiles, progress: bool
) -> pd.DataFrame:
    rows, skipped, speakers_bytes, content_sha = _parse_members(
        iter_members(source), errors=errors, bad_files=bad_files, progress=progress,
        hash_content=source.is_dir(),  # an archive is identified by its own checksum
    )
    if not rows:
        raise UngdcError(
            f"{source}: no speech files (ISO_NN_YYYY.txt) found. Point the loader at the "
            "UNGDC archive or at the folder that holds TXT/."
        )
    df = pd.DataFrame(rows)
    sheet = None
    if speakers_path is not None:
        sheet = _read_speakers(speakers_path)
    elif speakers_bytes is not None:
        sheet = _read_speakers(speakers_bytes)
    n_unmatched_speeches = len(df)
    n_unused_rows = 0
    if sheet is not None:
        df, n_unmatched_speeches, n_unused_rows = _join_speakers(df, sheet)
    else:
        warnings.warn(
            f"No {SPEAKERS_FILE} found beside {source}; speaker and post are left empty. "
            "Pass speakers=PATH to join it.",
            UserWarning,
            stacklevel=3,
        )
    names = _actor_names(sorted(df["actor"].unique()), sheet)
    df["actor_name"] = df["actor"].map(names)
    df = df.sort_values("doc_id", kind="stable").reset_index(drop=True)
    df = standardize_columns(df, source="ungdc")
    df["session"] = df["session"].astype("Int64")
    df["file"] = df["file"].astype("string[pyarrow]")
    validate_corpus(df)
    is_archive = source.is_file()
    sha256 = source_sha256(source) if is_archive else content_sha
    known = identify_release("ungdc", sha256=sha256)
    df.attrs["corpus"] = {
        "name": "ungdc",
        # the card's release name when the checksum is a known release, else the file name
        "release": known or source.name,
        "release_verified": known is not None,
        "path": str(source),
        "sha256": sha256,
        "checksum_of": "archive file" if is_archive else "file names and contents",
        "speakers_sha256": (
            source_sha256(speakers_path) if speakers_path is not None
            else (hashlib.sha256(speakers_bytes).hexdigest() if speakers_bytes else None)
        ),
        "n_docs": len(df),
        "years": [int(df["year"].min()), int(df["year"].max())],
        "n_actors": int(df["actor"].nunique()),
        "skipped": skipped,
        "n_skipped": len(skipped),
        "speeches_without_speaker": n_unmatched_speeches,
        "speaker_rows_without_speech": n_unused_rows,
        "actors_without_name": sorted(set(df["actor"].dropna()) - set(names)),
        "loader_version": UNGDC_LOADER_VERSION,
    }
    return df


def _source_id(source: Path, *, cache_home: str | os.PathLike | None) -> str:
    """What identifies the source in the cache key: an archive's SHA-256, a folder's listing.

    A folder is keyed on its file names, sizes and mtimes (cheap); the content hash is
    recorded in the table's provenance.
    """
    if source.is_file():
        return source_sha256(source, cache_home=cache_home)
    h = hashlib.sha256()
    for root, dirs, files in os.walk(source):
        dirs.sort()
        for f in sorted(files):
            st = (Path(root) / f).stat()
            h.update(f"{root}/{f}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return "dir:" + h.hexdigest()


def _read_cached(path: Path) -> pd.DataFrame:
    df = read_frame(path)
    if df.attrs.get("corpus", {}).get("name") != "ungdc":
        raise ValueError("the cached table has no UNGDC provenance")
    return df


def _apply_china_seat(df: pd.DataFrame, china_seat: str) -> pd.DataFrame:
    """Recode the Republic of China's CHN speeches (to 1971) as TWN with ``"split"``.

    Applied after the cache read, so one cached table serves both conventions; the recode
    is listed in ``attrs["corpus"]["recoded"]``.
    """
    info = dict(df.attrs.get("corpus", {}))
    info["china_seat"] = china_seat
    info["recoded"] = []
    roc = ((df["actor"] == "CHN") & (df["year"] <= ROC_LAST_YEAR)).fillna(False).to_numpy()
    if china_seat == "split" and roc.any():
        df = df.copy()
        df.loc[roc, "actor"] = "TWN"
        df.loc[roc, "actor_name"] = ROC_NAME
        years = df.loc[roc, "year"]
        info["recoded"] = [{
            "from": "CHN", "to": "TWN", "actor_name": ROC_NAME, "rows": int(roc.sum()),
            "years": [int(years.min()), int(years.max())],
            "why": "the Republic of China held the UN China seat (file code CHN) up to the "
                   "1971 debate; the People's Republic was seated on 25 October 1971 "
                   "(resolution 2758), after the debate (china_seat='ungdc' keeps CHN)",
        }]
        info["n_actors"] = int(df["actor"].nunique())
    df.attrs["corpus"] = info
    return df


# ---------------------------------------------------------------------------- public
def load_ungdc(
    path: str | os.PathLike | None = None,
    *,
    speakers: str | os.PathLike | None = None,
    errors: Literal["strict", "replace", "ignore"] = "strict",
    bad_files: BadFiles = "raise",
    use_cache: bool = True,
    progress: bool = True,
    cache_home: str | os.PathLike | None = None,
    china_seat: ChinaSeat = "split",
) -> pd.DataFrame:
    """Load the UN General Debate Corpus as a corpus table.

    Parameters
    ----------
    path : str or path-like or None, default=None
        The archive (``.tgz``/``.tar.gz``/``.zip``), the extracted folder, or a folder
        holding the archive. None uses ``<data home>/ungdc`` (see ``FPTK_DATA_HOME``).
    speakers : str or path-like or None, default=None
        ``Speakers_by_session.xlsx``. None looks beside the source and inside the archive.
    errors : {"strict", "replace", "ignore"}, default="strict"
        How to decode bytes that are not UTF-8. "strict" raises an error naming the file
        and the byte offset.
    bad_files : {"raise", "skip"}, default="raise"
        What to do with a speech file that is empty, binary or whose session does not
        match its year. "skip" drops it and reports it in ``attrs["corpus"]["skipped"]``.
        Files that are not speech files at all (``.Rhistory``, ``.DS_Store``...) are always
        skipped and reported.
    use_cache : bool, default=True
        Read and write a Parquet cache keyed by the source checksum, the speakers sheet,
        these options and the loader version.
    progress : bool, default=True
        Show a progress bar while reading files.
    cache_home : str or path-like or None, default=None
        Override of the cache folder (``FPTK_CACHE_HOME``).
    china_seat : {"split", "ungdc"}, default="split"
        The files code the UN China seat ``CHN`` throughout: the Republic of China's up to
        and including the 1971 debate (``CHN_26_1971``: the General Assembly seated the
        People's Republic on 25 October 1971, after the debate) and the People's
        Republic's from 1972. ``"split"`` codes the speeches up to 1971 as ``TWN`` with
        ``actor_name`` "Republic of China" (25 speeches in the 1946-2024 release: 1946-1969
        and 1971), the convention of :mod:`toolkit.external` (``seat_convention="split"``);
        ``"ungdc"`` keeps the file codes. ``doc_id`` and ``file`` keep the file name. RUS is
        the Soviet Union's seat up to 1991 in both (not recoded).

    Returns
    -------
    DataFrame of shape (n_docs, 11)
        Standard columns plus ``session`` and ``file`` (the member path). One row per
        speech, sorted by ``doc_id`` (``USA_75_2020``). ``actor`` is the file's code (but
        see ``china_seat``): ISO3, historical codes kept (``DDR``, ``YUG``, ``CSK``,
        ``YMD``), ``EU`` for the European Union. ``date`` is NA (the corpus has years
        only). ``df.attrs["corpus"]`` records the release, checksum, skipped files,
        ``china_seat`` and ``recoded`` (from, to, rows, years, why of each recode).
    """
    check_option("china_seat", china_seat, ("split", "ungdc"))
    source = find_ungdc_source(path)
    speakers_path = _find_speakers(source, speakers)
    key = cache_key(
        kind="ungdc",
        source=_source_id(source, cache_home=cache_home),
        speakers=source_sha256(speakers_path, cache_home=cache_home) if speakers_path else None,
        errors=errors,
        bad_files=bad_files,
        version=UNGDC_LOADER_VERSION,
    )

    def build() -> pd.DataFrame:
        table = _build(source, speakers_path, errors=errors, bad_files=bad_files,
                       progress=progress)
        if table.attrs["corpus"]["n_skipped"]:
            skipped = table.attrs["corpus"]["skipped"]
            names = ", ".join(s["file"] for s in skipped[:6])
            warnings.warn(
                f"UNGDC: skipped {len(skipped)} non-speech or bad files ({names}); they are "
                "listed in df.attrs['corpus']['skipped'].",
                UserWarning,
                stacklevel=3,
            )
        return table

    table = cached(
        "corpus",
        key,
        suffix=".parquet",
        build=build,
        write=write_frame,
        read=_read_cached,
        cache_home=cache_home,
        use_cache=use_cache,
    )
    return _apply_china_seat(table, china_seat)
