"""UNGDC loader: fixtures in the official layout, bad input, caching, and the real corpus."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from toolkit.corpora import UngdcError, find_ungdc_source, load_ungdc, validate_corpus

SPEECHES = {
    "TXT/Session 77 - 2022/CHN_77_2022.txt": "China will not sell weapons to either side.",
    "TXT/Session 77 - 2022/RUS_77_2022.txt": "Arms deliveries prolong the conflict.",
    "TXT/Session 77 - 2022/EU_77_2022.txt": "The European Union stands with Ukraine.",
    "TXT/Session 41 - 1986/DDR_41_1986.txt": "The GDR calls for disarmament.",
    "TXT/Session 78 - 2023/CHN_78_2023.txt": "\ufeffChina regulates dual-use exports.",
}
JUNK = {
    "TXT/Session 77 - 2022/.Rhistory": "x <- 1",
    "TXT/Session 77 - 2022/.DS_Store-to-UTF-8.txt": "junk",
}


def _speakers_xlsx(path: Path) -> Path:
    sheet = pd.DataFrame(
        {
            "Year": [2022, 2022, 2022, 1986, 2023, 2023],
            "Session": [77, 77, 77, 41, 78, 78],
            "ISO Code": ["CHN", "RUS", "EC", "DDR", "CHN", "CHN"],
            "Country": ["China", "Russia", "European Council", "German Democratic Republic",
                        "China", "China"],
            "Name of Person Speaking": ["Wang Yi", "Sergey Lavrov", "Charles Michel",
                                        "Oskar Fischer", "Han Zheng", "Wang Yi"],
            "Post": ["Minister for Foreign Affairs", "Minister for Foreign Affairs",
                     "President", None, "Vice-President", "Minister"],
            "Unnamed: 6": [None] * 6,
        }
    )
    sheet.to_excel(path, index=False)
    return path


def _write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


def _tgz(path: Path, files: dict[str, str | bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def ungdc_dir(tmp_path) -> Path:
    home = tmp_path / "ungdc"
    _write_tree(home, {**SPEECHES, **JUNK})
    _speakers_xlsx(home / "Speakers_by_session.xlsx")
    return home


@pytest.fixture
def ungdc_tgz(tmp_path) -> Path:
    home = tmp_path / "home" / "ungdc"
    home.mkdir(parents=True)
    _speakers_xlsx(home / "Speakers_by_session.xlsx")
    return _tgz(home / "UNGDC_1946-2024.tgz", {**SPEECHES, **JUNK})


def _load(path, **kw):
    with pytest.warns(UserWarning, match="skipped 2 non-speech"):
        return load_ungdc(path, progress=False, **kw)


def test_folder_and_archive_give_the_same_table(ungdc_dir, ungdc_tgz):
    a = _load(ungdc_dir)
    b = _load(ungdc_tgz)
    pd.testing.assert_frame_equal(a, b)
    assert a["doc_id"].tolist() == sorted(p.rsplit("/", 1)[1][:-4] for p in SPEECHES)
    validate_corpus(a)


def test_columns_codes_names_and_speakers(ungdc_tgz):
    df = _load(ungdc_tgz).set_index("doc_id")
    assert list(df.columns[:8]) == ["text", "actor", "actor_name", "year", "date", "speaker",
                                    "post", "source"]
    assert df.loc["EU_77_2022", "actor"] == "EU"
    assert df.loc["EU_77_2022", "actor_name"] == "European Union"
    assert df.loc["EU_77_2022", "speaker"] == "Charles Michel"  # the sheet's EC means EU
    assert df.loc["DDR_41_1986", "actor_name"] == "German Democratic Republic"
    assert df.loc["CHN_77_2022", "actor_name"] == "China"
    assert df.loc["CHN_78_2023", "speaker"] == "Han Zheng; Wang Yi"  # two rows in the sheet
    assert df.loc["CHN_78_2023", "text"].startswith("China")  # BOM removed
    assert df.loc["RUS_77_2022", "session"] == 77
    assert df["source"].eq("ungdc").all()
    assert df["date"].isna().all()


def test_provenance_and_skipped_files_are_reported(ungdc_tgz):
    df = _load(ungdc_tgz)
    info = df.attrs["corpus"]
    assert info["n_docs"] == 5
    assert info["n_skipped"] == 2
    assert {s["file"].rsplit("/", 1)[1] for s in info["skipped"]} == {
        ".Rhistory", ".DS_Store-to-UTF-8.txt"}
    assert len(info["sha256"]) == 64
    assert info["release"] == "UNGDC_1946-2024.tgz"  # not a known release: the file name
    assert info["release_verified"] is False
    assert info["speeches_without_speaker"] == 0


def test_cache_round_trip_is_exact_and_keeps_provenance(ungdc_tgz):
    first = _load(ungdc_tgz)
    second = load_ungdc(ungdc_tgz, progress=False)  # from the cache: no warning again
    pd.testing.assert_frame_equal(first, second)
    assert second.attrs == first.attrs


@pytest.mark.filterwarnings("ignore:UNGDC. skipped:UserWarning")
def test_corrupt_cache_is_rebuilt(ungdc_tgz, tmp_path, monkeypatch):
    from toolkit.cache import CacheCorruptWarning

    cache = tmp_path / "cache"
    first = _load(ungdc_tgz, cache_home=cache)
    for f in (cache / "corpus").glob("*.parquet"):
        f.write_bytes(b"not parquet at all")
    with pytest.warns(CacheCorruptWarning, match="corrupt"):
        again = load_ungdc(ungdc_tgz, progress=False, cache_home=cache)
    pd.testing.assert_frame_equal(first, again)


def test_changed_archive_invalidates_the_cache(tmp_path):
    home = tmp_path / "ungdc"
    home.mkdir()
    archive = _tgz(home / "UNGDC_x.tgz", dict(list(SPEECHES.items())[:2]))
    with pytest.warns(UserWarning, match="Speakers_by_session"):
        assert len(load_ungdc(archive, progress=False)) == 2
    _tgz(archive, dict(list(SPEECHES.items())[:3]))
    with pytest.warns(UserWarning, match="Speakers_by_session"):
        assert len(load_ungdc(archive, progress=False)) == 3


def test_session_year_mismatch_raises_or_is_skipped(tmp_path):
    home = _write_tree(tmp_path / "u", {"TXT/Session 77 - 2022/CHN_76_2022.txt": "text",
                                        "TXT/Session 77 - 2022/USA_77_2022.txt": "text"})
    with pytest.raises(UngdcError, match=r"CHN_76_2022.txt: session 76 does not match year 2022"):
        load_ungdc(home, progress=False, use_cache=False)
    with pytest.warns(UserWarning):
        df = load_ungdc(home, progress=False, use_cache=False, bad_files="skip")
    assert df["doc_id"].tolist() == ["USA_77_2022"]
    assert df.attrs["corpus"]["skipped"][0]["reason"].startswith("session 76")


def test_non_utf8_names_file_and_offset(tmp_path):
    home = _write_tree(tmp_path / "u", {"TXT/Session 77 - 2022/FRA_77_2022.txt":
                                        b"Caf\xe9 au lait"})
    with pytest.raises(UngdcError, match=r"FRA_77_2022.txt: not valid UTF-8 at byte offset 3"):
        load_ungdc(home, progress=False, use_cache=False)
    with pytest.warns(UserWarning, match="Speakers"):
        df = load_ungdc(home, progress=False, use_cache=False, errors="replace")
    assert df["text"].iloc[0] == "Caf\ufffd au lait"


def test_binary_and_empty_files(tmp_path):
    home = _write_tree(tmp_path / "u", {"TXT/Session 77 - 2022/BIN_77_2022.txt": b"ab\x00cd"})
    with pytest.raises(UngdcError, match=r"BIN_77_2022.txt: binary content \(NUL byte at offset 2"):
        load_ungdc(home, progress=False, use_cache=False)
    home2 = _write_tree(tmp_path / "v", {"TXT/Session 77 - 2022/EMP_77_2022.txt": "  \n"})
    with pytest.raises(UngdcError, match=r"EMP_77_2022.txt: empty file"):
        load_ungdc(home2, progress=False, use_cache=False)


def test_missing_and_empty_sources(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_ungdc(tmp_path / "nope", progress=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UngdcError, match="no speech files"):
        load_ungdc(tmp_path / "empty", progress=False, use_cache=False)
    monkeypatch.setenv("FPTK_DATA_HOME", str(tmp_path / "nothing-here"))
    with pytest.raises(FileNotFoundError, match="fptk fetch ungdc"):
        load_ungdc(progress=False)


@pytest.mark.filterwarnings("ignore:No Speakers_by_session:UserWarning")
def test_duplicate_ids_across_folders_are_named(tmp_path):
    home = _write_tree(tmp_path / "u", {"TXT/Session 77 - 2022/CHN_77_2022.txt": "a",
                                        "extra/CHN_77_2022.txt": "b"})
    with pytest.raises(ValueError, match=r"Duplicate doc_id in .*CHN_77_2022"):
        load_ungdc(home, progress=False, use_cache=False)


def test_source_resolution_prefers_text_folder_then_newest_archive(tmp_path):
    home = tmp_path / "ungdc"
    home.mkdir()
    (home / "UNGDC_1946-2023.tgz").write_bytes(b"")
    (home / "UNGDC_1946-2024.tgz").write_bytes(b"")
    assert find_ungdc_source(home).name == "UNGDC_1946-2024.tgz"
    (home / "TXT").mkdir()
    assert find_ungdc_source(home) == home


def test_zip_archive(tmp_path):
    path = tmp_path / "UNGDC.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in SPEECHES.items():
            zf.writestr(name, text)
    with pytest.warns(UserWarning, match="Speakers"):
        df = load_ungdc(path, progress=False)
    assert len(df) == len(SPEECHES)


def test_user_files_are_never_modified(ungdc_dir):
    before = {p: p.stat().st_mtime_ns for p in ungdc_dir.rglob("*")}
    _load(ungdc_dir)
    assert {p: p.stat().st_mtime_ns for p in ungdc_dir.rglob("*")} == before


# ------------------------------------------------------------------ the China seat
CHINA = {
    "TXT/Session 24 - 1969/CHN_24_1969.txt": "The Republic of China will resist communism.",
    "TXT/Session 26 - 1971/CHN_26_1971.txt": "Mr. President, on behalf of my Government...",
    "TXT/Session 27 - 1972/CHN_27_1972.txt": "The third world opposes the super-Powers.",
    "TXT/Session 27 - 1972/USA_27_1972.txt": "The United States seeks a generation of peace.",
}


@pytest.mark.filterwarnings("ignore:No Speakers_by_session:UserWarning")
def test_china_seat_split_recodes_the_roc_up_to_1971(tmp_path):
    home = _write_tree(tmp_path / "u", CHINA)
    df = load_ungdc(home, progress=False).set_index("doc_id")
    assert df.loc["CHN_24_1969", "actor"] == "TWN"
    assert df.loc["CHN_26_1971", "actor"] == "TWN"  # the 1971 debate preceded resolution 2758
    assert df.loc["CHN_26_1971", "actor_name"] == "Republic of China"
    assert df.loc["CHN_27_1972", "actor"] == "CHN"
    assert df.loc["CHN_27_1972", "actor_name"] == "China"
    assert df.loc["CHN_26_1971", "file"].endswith("CHN_26_1971.txt")  # file name kept
    info = df.attrs["corpus"]
    assert info["china_seat"] == "split"
    assert [(r["from"], r["to"], r["rows"], r["years"]) for r in info["recoded"]] == [
        ("CHN", "TWN", 2, [1969, 1971])]
    assert info["n_actors"] == 3


def test_china_seat_ungdc_keeps_file_codes_and_the_cache_is_shared(tmp_path):
    home = _write_tree(tmp_path / "u", CHINA)
    cache = tmp_path / "cache"
    with pytest.warns(UserWarning, match="Speakers_by_session"):  # built: the sheet is missing
        split = load_ungdc(home, progress=False, cache_home=cache)
    kept = load_ungdc(home, progress=False, cache_home=cache, china_seat="ungdc")  # cached
    assert (kept["actor"] == "CHN").sum() == 3 and "TWN" not in set(kept["actor"])
    assert kept.attrs["corpus"]["recoded"] == [] and kept.attrs["corpus"]["n_actors"] == 2
    again = load_ungdc(home, progress=False, cache_home=cache)  # the cache was not recoded
    pd.testing.assert_frame_equal(split, again)
    assert len(list((cache / "corpus").glob("*.parquet"))) == 1
    pd.testing.assert_frame_equal(kept.drop(columns=["actor", "actor_name"]),
                                  split.drop(columns=["actor", "actor_name"]))
    with pytest.raises(ValueError, match="china_seat must be one of"):
        load_ungdc(home, progress=False, cache_home=cache, china_seat="iso")


# ------------------------------------------------------------------ the real corpus (CI)
@pytest.mark.integration
def test_real_ungdc_has_10952_speeches_1946_2024(ungdc):
    info = ungdc.attrs["corpus"]
    assert len(ungdc) == 10_952
    assert (int(ungdc["year"].min()), int(ungdc["year"].max())) == (1946, 2024)
    assert info["sha256"] == "01396f746e4ff39d0bfb3e249b45214854aa111287b6b2403c806fdd3a508579"
    assert (info["release"], info["release_verified"]) == ("1946-2024", True)
    assert info["n_skipped"] == 5  # .Rhistory x2, .Rapp.history x2, .DS_Store-to-UTF-8.txt
    assert (ungdc["actor"] == "EU").sum() == 14
    assert {"DDR", "YUG", "CSK", "YMD"} <= set(ungdc["actor"])
    assert ungdc["actor_name"].notna().all()
    assert (ungdc["session"] == ungdc["year"] - 1945).all()
    assert ungdc["speaker"].notna().mean() > 0.99
    validate_corpus(ungdc)


@pytest.mark.integration
def test_real_ungdc_china_seat(ungdc, data_home):
    by_id = ungdc.set_index("doc_id")
    assert by_id.loc["CHN_26_1971", "actor"] == "TWN"  # Mr. Chow Shu-kai, the ROC
    assert by_id.loc["CHN_26_1971", "actor_name"] == "Republic of China"
    assert by_id.loc["CHN_27_1972", "actor"] == "CHN"
    roc = ungdc[ungdc["actor"] == "TWN"]
    assert len(roc) == 25 and (int(roc["year"].min()), int(roc["year"].max())) == (1946, 1971)
    assert int(ungdc.loc[ungdc["actor"] == "CHN", "year"].min()) == 1972
    (recode,) = ungdc.attrs["corpus"]["recoded"]
    assert (recode["rows"], recode["years"]) == (25, [1946, 1971])
    kept = load_ungdc(data_home / "ungdc", progress=False, china_seat="ungdc")
    assert (kept["actor"] == "CHN").sum() == (ungdc["actor"] == "CHN").sum() + 25
    assert "TWN" not in set(kept["actor"])
