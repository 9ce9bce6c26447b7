"""Tests for toolkit.corpora.generic: text folders and tables a researcher brings."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from toolkit.corpora import load_corpus
from toolkit.corpora.generic import decode_bytes, load_table, load_text_folder
from toolkit.corpora.schema import STANDARD_COLUMNS, CorpusValidationError
from toolkit.exceptions import BadDateWarning, IdColumnWarning


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "speeches"
    d.mkdir()
    (d / "chn_2023.txt").write_text("China will not sell weapons.\r\nTo either side.",
                                    encoding="utf-8")
    (d / "deu_2023.txt").write_text("Germany responds.", encoding="utf-8")
    (d / "notes.md").write_text("not a document", encoding="utf-8")
    (d / ".hidden.txt").write_text("ignored", encoding="utf-8")
    return d


def _snapshot(path):
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(path.rglob("*"))
            if p.is_file()}


# --------------------------------------------------------------------------- text folder


def test_text_folder_basic(folder):
    before = _snapshot(folder)
    df = load_text_folder(folder)
    assert list(df.columns[: len(STANDARD_COLUMNS)]) == list(STANDARD_COLUMNS)
    assert df["doc_id"].tolist() == ["chn_2023", "deu_2023"]
    assert df["text"].iloc[0] == "China will not sell weapons.\nTo either side."
    assert df["file"].tolist() == ["chn_2023.txt", "deu_2023.txt"]
    assert (df["source"] == "speeches").all()
    info = df.attrs["corpus"]
    assert info["name"] == "speeches" and info["n_docs"] == 2 and info["skipped"] == []
    assert len(info["sha256"]) == 64
    assert _snapshot(folder) == before  # files never touched


def test_text_folder_checksum_tracks_names_and_bytes(folder):
    sha = load_text_folder(folder).attrs["corpus"]["sha256"]
    assert load_text_folder(folder).attrs["corpus"]["sha256"] == sha
    (folder / "deu_2023.txt").write_text("Germany responds!", encoding="utf-8")
    sha2 = load_text_folder(folder).attrs["corpus"]["sha256"]
    assert sha2 != sha
    (folder / "deu_2023.txt").rename(folder / "fra_2023.txt")
    assert load_text_folder(folder).attrs["corpus"]["sha256"] != sha2


def test_text_folder_with_metadata(folder, tmp_path):
    meta = tmp_path / "meta.csv"
    pd.DataFrame(
        {"file": ["chn_2023.txt", "deu_2023"], "country": ["CHN", "DEU"],
         "date": ["2023-04-14", "2023-04-14"], "minister": ["Qin Gang", "Baerbock"]}
    ).to_csv(meta, index=False)
    df = load_text_folder(folder, metadata=meta, columns={"country": "actor",
                                                          "minister": "speaker"})
    assert df["actor"].tolist() == ["CHN", "DEU"]
    assert df["speaker"].tolist() == ["Qin Gang", "Baerbock"]
    assert df["year"].tolist() == [2023, 2023]  # filled from date
    assert str(df["date"].dtype) == "datetime64[ns]"
    assert df.attrs["corpus"]["metadata"] == str(meta)


def test_text_folder_metadata_can_give_ids(folder):
    meta = pd.DataFrame({"file": ["chn_2023.txt", "deu_2023.txt"], "doc_id": ["a", "b"]})
    assert load_text_folder(folder, metadata=meta)["doc_id"].tolist() == ["a", "b"]


def test_text_folder_recursive_keeps_relative_ids(folder):
    sub = folder / "sub"
    sub.mkdir()
    (sub / "chn_2023.txt").write_text("Same name, other folder.", encoding="utf-8")
    df = load_text_folder(folder, recursive=True)
    assert df["doc_id"].tolist() == ["chn_2023", "deu_2023", "sub/chn_2023"]


# --------------------------------------------------------------------------- bad input


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Corpus folder .*nowhere does not exist"):
        load_text_folder(tmp_path / "nowhere")


def test_file_instead_of_folder(folder):
    with pytest.raises(NotADirectoryError, match=r"is a file, not a folder.*load_table"):
        load_text_folder(folder / "chn_2023.txt")


def test_empty_folder(tmp_path):
    with pytest.raises(ValueError, match=r"No \*\.txt files in .* It is empty"):
        load_text_folder(tmp_path)


def test_folder_without_matching_files_names_what_is_there(tmp_path):
    (tmp_path / "a.md").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match=r"No \*\.txt files .*1 other entries, e.g. \['a.md'\]"):
        load_text_folder(tmp_path)


def test_empty_file_is_a_counted_skip(folder):
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("  \n\t", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"skipped 2 empty document"):
        df = load_text_folder(folder)
    assert df["doc_id"].tolist() == ["chn_2023", "deu_2023"]
    assert df.attrs["corpus"]["skipped"] == [
        {"file": "blank.txt", "reason": "only whitespace"},
        {"file": "empty.txt", "reason": "empty file"},
    ]


def test_empty_file_can_be_an_error(folder):
    (folder / "empty.txt").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty.txt is empty \(empty file\)"):
        load_text_folder(folder, on_empty="error")


def test_all_files_empty(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    with pytest.raises(ValueError, match=r"All 1 \*\.txt files in .* are empty"):
        load_text_folder(tmp_path)


def test_non_utf8_file_names_file_and_offset(folder):
    (folder / "latin.txt").write_bytes("Caf\u00e9 au lait".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin.txt is not valid utf-8: byte 0xe9 at byte "
                                         r"offset 3 .*errors='replace'.*errors='ignore'"):
        load_text_folder(folder)


def test_non_utf8_file_with_explicit_errors(folder):
    (folder / "latin.txt").write_bytes("Caf\u00e9 au lait".encode("latin-1"))
    replaced = load_text_folder(folder, errors="replace").set_index("doc_id")
    assert replaced.loc["latin", "text"] == "Caf\ufffd au lait"
    ignored = load_text_folder(folder, errors="ignore").set_index("doc_id")
    assert ignored.loc["latin", "text"] == "Caf au lait"
    latin = load_text_folder(folder, encoding="latin-1").set_index("doc_id")
    assert latin.loc["latin", "text"] == "Caf\u00e9 au lait"


def test_bad_errors_value(folder):
    with pytest.raises(ValueError, match=r"errors='loud' is not a codec error handler"):
        load_text_folder(folder, errors="loud")


def test_binary_file_named_txt(folder):
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ValueError, match=r"image.txt looks like a binary file.*NUL byte at "
                                         r"byte offset 8"):
        load_text_folder(folder)


def test_utf16_is_not_mistaken_for_binary():
    assert decode_bytes("hi".encode("utf-16"), file="x", encoding="utf-16") == "hi"


def test_duplicate_ids_from_file_names(folder):
    (folder / "chn_2023.TXT").write_text("Upper-case suffix.", encoding="utf-8")
    with pytest.raises(ValueError, match=r"Duplicate doc_id .*'chn_2023' from "
                                         r"\['chn_2023.TXT', 'chn_2023.txt'\]"):
        load_text_folder(folder)


def test_duplicate_ids_from_metadata(folder):
    meta = pd.DataFrame({"file": ["chn_2023.txt", "deu_2023.txt"], "doc_id": ["x", "x"]})
    with pytest.raises(ValueError, match=r"Duplicate doc_id from the metadata .*'x'"):
        load_text_folder(folder, metadata=meta)


def test_metadata_keys_not_matching_files(folder, tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text("file,actor\nchn_2023.txt,CHN\nusa_2023.txt,USA\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"does not match the files: 1 key\(s\) match no file: "
                                         r"\['usa_2023.txt'\]; 1 file\(s\) have no metadata "
                                         r"row: \['deu_2023.txt'\]"):
        load_text_folder(folder, metadata=meta)


def test_metadata_mismatch_can_be_loaded_and_counted(folder, tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text("file,actor\nchn_2023.txt,CHN\nusa_2023.txt,USA\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"1 key\(s\) match no file, 1 file\(s\) have no row"):
        df = load_text_folder(folder, metadata=meta, strict_metadata=False)
    assert df["actor"].isna().tolist() == [False, True]
    assert df.attrs["corpus"]["metadata_unmatched"] == {
        "keys_without_file": ["usa_2023.txt"], "files_without_metadata": ["deu_2023.txt"]}


def test_metadata_problems(folder, tmp_path):
    meta = tmp_path / "meta.csv"
    meta.write_text("name,actor\nchn_2023.txt,CHN\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"has no key column 'file'; its columns are "
                                         r"\['name', 'actor'\]"):
        load_text_folder(folder, metadata=meta)
    meta.write_text("file\nchn_2023.txt\nchn_2023.txt\ndeu_2023.txt\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lists some files more than once: \['chn_2023.txt'\]"):
        load_text_folder(folder, metadata=meta)
    with pytest.raises(FileNotFoundError, match=r"Metadata file .*nope.csv does not exist"):
        load_text_folder(folder, metadata=tmp_path / "nope.csv")
    meta.write_bytes(b"file,actor\nchn_2023.txt,C\xe9\n")
    with pytest.raises(ValueError, match=r"meta.csv is not valid utf-8: byte 0xe9 at byte "
                                         r"offset 25"):
        load_text_folder(folder, metadata=meta)


# --------------------------------------------------------------------------- tables


@pytest.fixture
def frame():
    return pd.DataFrame(
        {"id": ["a", "b", "c"], "speech": ["Arms.", "Peace.", "Trade."],
         "country": ["CHN", "RUS", "USA"], "yr": [2022, 2023, 2023]}
    )


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet", ".xlsx"])
def test_table_formats(tmp_path, frame, suffix):
    path = tmp_path / f"corpus{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t")
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    elif suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_excel(path, index=False)
    before = path.read_bytes()
    df = load_table(path, columns={"id": "doc_id", "speech": "text", "country": "actor",
                                   "yr": "year"})
    assert df["doc_id"].tolist() == ["a", "b", "c"]
    assert df["actor"].tolist() == ["CHN", "RUS", "USA"]
    assert df["year"].tolist() == [2022, 2023, 2023]
    assert (df["source"] == "corpus").all()
    assert df.attrs["corpus"]["n_docs"] == 3
    assert path.read_bytes() == before


def test_table_generates_ids_when_missing(tmp_path, frame):
    path = tmp_path / "t.csv"
    frame.drop(columns=["id"]).to_csv(path, index=False)
    df = load_table(path, columns={"speech": "text"})
    assert df["doc_id"].tolist() == ["t_0", "t_1", "t_2"]
    assert df.attrs["corpus"]["generated_ids"] is True


def test_table_does_not_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Corpus table .*nope.csv does not exist"):
        load_table(tmp_path / "nope.csv")


def test_table_unknown_suffix(tmp_path):
    path = tmp_path / "t.doc"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match=r"Cannot tell the format of .*'.doc'; pass format="):
        load_table(path)


def test_table_without_text_column(tmp_path, frame):
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"no 'text' column; its columns are \['id', 'speech'"):
        load_table(path)


def test_table_mapping_to_missing_column(tmp_path, frame):
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"columns= maps \['body'\], which .* does not have"):
        load_table(path, columns={"body": "text"})


def test_table_duplicate_ids(tmp_path, frame):
    path = tmp_path / "t.csv"
    frame.assign(id=["a", "a", "c"]).to_csv(path, index=False)
    with pytest.raises(CorpusValidationError, match=r"t.csv: Duplicate doc_id in row 0 "
                                                    r"\(doc_id='a'\), row 1"):
        load_table(path, columns={"id": "doc_id", "speech": "text"})


def test_table_empty_rows_are_counted(tmp_path, frame):
    path = tmp_path / "t.csv"
    frame.assign(speech=["Arms.", "", "  "]).to_csv(path, index=False)
    with pytest.warns(UserWarning, match=r"skipped 2 empty document"):
        df = load_table(path, columns={"id": "doc_id", "speech": "text"})
    assert df["doc_id"].tolist() == ["a"]
    assert [s["file"] for s in df.attrs["corpus"]["skipped"]] == ["t.csv:row 1", "t.csv:row 2"]
    with pytest.raises(ValueError, match=r"t.csv: empty text in rows \[1, 2\]"):
        load_table(path, columns={"id": "doc_id", "speech": "text"}, on_empty="error")


def test_table_empty_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"t.csv is empty"):
        load_table(path)


def test_table_non_utf8(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"doc_id,text\na,caf\xe9\n")
    with pytest.raises(ValueError, match=r"t.csv is not valid utf-8: byte 0xe9 at byte offset 17"):
        load_table(path)
    assert load_table(path, encoding="latin-1")["text"].tolist() == ["caf\u00e9"]


def test_table_binary_named_csv(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00garbage")
    with pytest.raises(ValueError, match=r"t.csv looks like a binary file"):
        load_table(path)


def test_jsonl_bad_line_is_named(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"doc_id": "a", "text": "x"}) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"t.jsonl, line 2: not valid JSON"):
        load_table(path)
    path.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 1: expected a JSON object, got list"):
        load_table(path)


def test_corrupt_parquet(tmp_path):
    path = tmp_path / "t.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(ValueError, match=r"t.parquet is not a readable Parquet file"):
        load_table(path)


def test_table_bad_dates_are_named(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"doc_id": ["a"], "text": ["x"], "year": [2023], "date": ["2022-01-01"]}).to_csv(
        path, index=False)
    with pytest.raises(CorpusValidationError, match=r"t.csv: year disagrees with date in row 0"):
        load_table(path)


# --------------------------------------------------------------------------- dates in files


def _csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_table_timezone_aware_dates(tmp_path):
    path = _csv(tmp_path / "t.csv", "doc_id,text,date\n"
                "a,Arms.,2022-06-24T17:30:00Z\n"
                "b,Peace.,2022-06-24T17:30:00+02:00\n"
                "c,Trade.,2022-06-24\n")
    df = load_table(path)
    assert df["date"].tolist() == [pd.Timestamp("2022-06-24 17:30"),
                                   pd.Timestamp("2022-06-24 15:30"), pd.Timestamp("2022-06-24")]
    assert df["date"].dt.tz is None
    assert df["date_raw"].tolist()[:2] == ["2022-06-24T17:30:00Z", "2022-06-24T17:30:00+02:00"]
    assert pd.isna(df["date_raw"].iloc[2])
    assert df["year"].tolist() == [2022, 2022, 2022]
    assert df.attrs["corpus"]["warnings"] == []


def test_table_bad_dates_raise_warn_or_skip(tmp_path):
    path = _csv(tmp_path / "t.csv", "doc_id,text,date\na,Arms.,2023-02-28\n"
                "b,Peace.,2023-02-30\nc,Trade.,yesterday\n")
    with pytest.raises(CorpusValidationError,
                       match=r"t.csv: 2 date\(s\) cannot be parsed: t.csv:row 1 "
                             r"\(doc_id='b'\): '2023-02-30'; t.csv:row 2 \(doc_id='c'\): "
                             r"'yesterday'\. Fix them in the source.*on_bad_date='warn'"):
        load_table(path)
    with pytest.warns(BadDateWarning, match=r"t.csv: 2 date\(s\) cannot be parsed \(e.g. "
                                            r"t.csv:row 1: '2023-02-30'\); kept them"):
        kept = load_table(path, on_bad_date="warn")
    assert kept["date"].isna().tolist() == [False, True, True]
    assert kept["year"].tolist()[0] == 2023 and kept["year"].isna().tolist()[1:] == [True, True]
    info = kept.attrs["corpus"]
    assert [w["file"] for w in info["warnings"]] == ["t.csv:row 1", "t.csv:row 2"]
    assert [w["value"] for w in info["warnings"]] == ["2023-02-30", "yesterday"]
    assert info["skipped"] == [] and info["n_docs"] == 3
    with pytest.warns(BadDateWarning, match=r"dropped them"):
        dropped = load_table(path, on_bad_date="skip")
    assert dropped["doc_id"].tolist() == ["a"]
    assert [s["file"] for s in dropped.attrs["corpus"]["skipped"]] == ["t.csv:row 1",
                                                                      "t.csv:row 2"]
    assert dropped.attrs["corpus"]["warnings"] == []
    with pytest.raises(ValueError, match=r"on_bad_date must be one of"):
        load_table(path, on_bad_date="coerce")


def test_table_date_format(tmp_path):
    path = _csv(tmp_path / "t.csv", "doc_id,text,date\na,Arms.,24.06.2022 17:30\n"
                "b,Peace.,01.02.2023 09:00\n")
    df = load_table(path, date_format="%d.%m.%Y %H:%M")
    assert df["date"].tolist() == [pd.Timestamp("2022-06-24 17:30"),
                                   pd.Timestamp("2023-02-01 09:00")]
    with pytest.raises(CorpusValidationError, match=r"do not match date_format='%Y-%m-%d'"):
        load_table(path, date_format="%Y-%m-%d")


def test_text_folder_metadata_dates_get_the_same_treatment(folder, tmp_path):
    meta = _csv(tmp_path / "meta.csv", "file,date\nchn_2023.txt,2023-04-14T10:00:00+08:00\n"
                "deu_2023.txt,2023-02-30\n")
    with pytest.raises(CorpusValidationError,
                       match=r"1 date\(s\) cannot be parsed: deu_2023.txt "
                             r"\(doc_id='deu_2023'\): '2023-02-30'"):
        load_text_folder(folder, metadata=meta)
    with pytest.warns(BadDateWarning):
        df = load_text_folder(folder, metadata=meta, on_bad_date="warn")
    assert df["date"].tolist()[0] == pd.Timestamp("2023-04-14 02:00")
    assert df["date_raw"].tolist()[0] == "2023-04-14T10:00:00+08:00"
    assert df.attrs["corpus"]["warnings"][0]["file"] == "deu_2023.txt"
    meta.write_text("file,date\nchn_2023.txt,14/04/2023\ndeu_2023.txt,15/04/2023\n",
                    encoding="utf-8")
    df = load_text_folder(folder, metadata=meta, date_format="%d/%m/%Y")
    assert df["date"].dt.day.tolist() == [14, 15]


# --------------------------------------------------------------------------- constant metadata


def _press(folder, name, rows):
    folder.mkdir(exist_ok=True)
    return _csv(folder / name, "id,published,body\n" + "".join(
        f"{i},{d},{t}\n" for i, d, t in rows))


@pytest.fixture
def two_governments(tmp_path):
    press = tmp_path / "press"
    deu = _press(press, "deu.csv", [(1, "2022-09-03T12:45:00+02:00", "Air defence for Kyiv."),
                                    (2, "2022-11-08T17:15:00+01:00", "Winter support.")])
    can = _press(press, "can.csv", [(1, "2022-09-05T08:30:00-04:00", "Sanctions."),
                                    (2, "2022-09-30T21:30:00-04:00", "Grain corridor.")])
    return press, deu, can


_MAP = {"published": "date", "body": "text"}


def test_table_assign_constants(two_governments):
    _, deu, _ = two_governments
    df = load_table(deu, columns=_MAP, id_column="id",
                    assign={"actor": "DEU", "speaker": "Spokesperson"})
    assert df["actor"].tolist() == ["DEU", "DEU"]
    assert df["speaker"].tolist() == ["Spokesperson", "Spokesperson"]
    assert df["doc_id"].tolist() == ["1", "2"]  # one file: ids as they are
    assert "file" not in df.columns
    assert df.attrs["corpus"]["assign"] == {"deu.csv": {"actor": "DEU",
                                                        "speaker": "Spokesperson"}}


def test_two_files_with_per_file_actors(two_governments):
    press, deu, can = two_governments
    df = load_table([deu, can], columns=_MAP, id_column="id",
                    assign=[{"actor": "DEU"}, {"actor": "CAN"}])
    assert df["doc_id"].tolist() == ["deu/1", "deu/2", "can/1", "can/2"]
    assert df["actor"].tolist() == ["DEU", "DEU", "CAN", "CAN"]
    assert df["file"].tolist() == ["deu.csv", "deu.csv", "can.csv", "can.csv"]
    assert df["id"].tolist() == [1, 2, 1, 2]  # the id column itself is kept
    assert df["date"].tolist()[3] == pd.Timestamp("2022-10-01 01:30")  # UTC: next month
    info = df.attrs["corpus"]
    assert info["name"] == "press" and info["path"] == str(press.resolve())
    assert info["files"] == [str(deu), str(can)]
    assert info["assign"] == {"deu.csv": {"actor": "DEU"}, "can.csv": {"actor": "CAN"}}
    assert info["encodings"] == {"deu.csv": "utf-8", "can.csv": "utf-8"}
    assert info["generated_ids"] is False and len(info["sha256"]) == 64
    assert load_table([can, deu], columns=_MAP, id_column="id",
                      assign=[{"actor": "CAN"}, {"actor": "DEU"}]
                      ).attrs["corpus"]["sha256"] != info["sha256"]  # names and order


def test_a_glob_is_sorted_and_takes_per_file_metadata(two_governments, monkeypatch):
    press, _, _ = two_governments
    monkeypatch.chdir(press.parent)
    by_order = load_table("press/*.csv", columns=_MAP, id_column="id",
                          assign=[{"actor": "CAN"}, {"actor": "DEU"}])  # can.csv < deu.csv
    by_name = load_table("press/*.csv", columns=_MAP, id_column="id",
                         assign={"can": {"actor": "CAN"}, "deu.csv": {"actor": "DEU"}})
    for df in (by_order, by_name):
        assert df["doc_id"].tolist() == ["can/1", "can/2", "deu/1", "deu/2"]
        assert df["actor"].tolist() == ["CAN", "CAN", "DEU", "DEU"]
    with pytest.raises(FileNotFoundError, match=r"No file matches 'press/\*.tsv'"):
        load_table("press/*.tsv")


def test_generated_ids_of_several_files_and_the_unmapped_id_note(two_governments):
    _, deu, can = two_governments
    with pytest.warns(IdColumnWarning, match=r"deu.csv: column 'id' looks like document ids "
                                             r"but was not used; ids were generated as "
                                             r"'deu_<row>'. Pass id_column='id'.*1 more"):
        df = load_table([deu, can], columns=_MAP)
    assert df["doc_id"].tolist() == ["deu_0", "deu_1", "can_0", "can_1"]
    info = df.attrs["corpus"]
    assert info["generated_ids"] is True and len(info["notes"]) == 2


@pytest.mark.parametrize("column", ["ID", "Id", "document_id"])
def test_unmapped_id_column_is_noted(tmp_path, column):
    path = _csv(tmp_path / "t.csv", f"{column},text\n7,Arms.\n")
    with pytest.warns(IdColumnWarning, match=rf"column '{column}' looks like document ids"):
        df = load_table(path)
    assert df["doc_id"].tolist() == ["t_0"]
    assert df.attrs["corpus"]["notes"] == [
        f"t.csv: column '{column}' looks like document ids but was not used; ids were "
        f"generated as 't_<row>'. Pass id_column='{column}' to use it."]


def test_id_column(tmp_path):
    path = _csv(tmp_path / "t.csv", "ref,text\n12,Arms.\n13,Peace.\n")
    df = load_table(path, id_column="ref")
    assert df["doc_id"].tolist() == ["12", "13"] and df.attrs["corpus"]["notes"] == []
    path = _csv(tmp_path / "f.csv", "ref,text\n12,Arms.\n,Peace.\n")
    with pytest.raises(ValueError, match=r"f.csv: the id column 'ref' is empty in rows \[1\]"):
        load_table(path, id_column="ref")
    frame = pd.DataFrame({"ref": [12.0, 13.0], "text": ["a", "b"]})
    frame.to_parquet(tmp_path / "p.parquet")
    assert load_table(tmp_path / "p.parquet", id_column="ref")["doc_id"].tolist() == ["12", "13"]
    with pytest.raises(ValueError, match=r"id_column='nope' is not a column of .*t.csv"):
        load_table(tmp_path / "t.csv", id_column="nope")
    both = _csv(tmp_path / "b.csv", "doc_id,ref,text\na,1,x\n")
    with pytest.raises(ValueError, match=r"has a 'doc_id' column and id_column='ref'"):
        load_table(both, id_column="ref")


def test_id_collisions_across_files_name_both_files(tmp_path):
    a = _press(tmp_path / "2022", "deu.csv", [(1, "2022-09-03", "One.")])
    b = _press(tmp_path / "2023", "deu.csv", [(1, "2023-01-03", "Two.")])
    with pytest.raises(CorpusValidationError,
                       match=r"doc_id 'deu/1' comes from both .*2022/deu.csv and "
                             r".*2023/deu.csv.*rename one"):
        load_table([a, b], columns=_MAP, id_column="id")
    with pytest.raises(CorpusValidationError, match=r"doc_id 'deu_0' comes from both"):
        load_table([a, b], columns=_MAP)


def test_duplicate_ids_within_one_of_several_files_name_that_file(two_governments):
    press, deu, _ = two_governments
    twice = _press(press, "twice.csv", [(1, "2022-09-03", "One."), (1, "2022-09-04", "Two.")])
    with pytest.raises(CorpusValidationError, match=r"twice.csv: Duplicate doc_id in row 0 "
                                                    r"\(doc_id='twice/1'\), row 1"):
        load_table([deu, twice], columns=_MAP, id_column="id")


def test_bad_assign(two_governments):
    _, deu, can = two_governments
    with pytest.raises(ValueError, match=r"assign= has 1 mapping\(s\) for 2 file\(s\) "
                                         r"\['deu.csv', 'can.csv'\]"):
        load_table([deu, can], columns=_MAP, assign=[{"actor": "DEU"}])
    with pytest.raises(ValueError, match=r"assign= sets \['date'\], which .*deu.csv already has"):
        load_table(deu, columns=_MAP, assign={"date": "2023-01-01"})
    with pytest.raises(ValueError, match=r"assign= sets 'text'"):
        load_table(deu, columns=_MAP, assign={"text": "x"})
    with pytest.raises(ValueError, match=r"keys without a file \['rus'\], files without a "
                                         r"key \['can.csv'\]"):
        load_table([deu, can], columns=_MAP, assign={"deu": {"actor": "DEU"},
                                                     "rus": {"actor": "RUS"}})
    with pytest.raises(ValueError, match=r"mixes per-file mappings and constants"):
        load_table([deu, can], columns=_MAP, assign={"deu": {"actor": "DEU"}, "post": "x"})
    with pytest.raises(TypeError, match=r"give one constant"):
        load_table(deu, columns=_MAP, assign={"actor": ["DEU"]})
    with pytest.raises(ValueError, match=r"listed more than once"):
        load_table([deu, deu], columns=_MAP)


# --------------------------------------------------------------------------- encodings

_LATIN = ("doc_id,text\na,Der Außenminister äußerte sich über die Lage in der Ukraine.\n"
          "b,Le ministre des Affaires étrangères a déclaré que la France soutient l'Ukraine.\n")


def test_encoding_auto_reads_latin1_and_utf8_and_records_them(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes(_LATIN.encode("latin-1"))
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(_LATIN.replace("a,", "c,").replace("b,", "d,").encode("utf-8"))
    with pytest.raises(ValueError, match=r"latin.csv is not valid utf-8"):
        load_table(latin)
    one = load_table(latin, encoding="auto")
    assert one["text"].iloc[0].startswith("Der Außenminister äußerte")
    assert one.attrs["corpus"]["encodings"]["latin.csv"] in ("cp1252", "iso8859-1", "cp1250")
    both = load_table([latin, utf8], encoding="auto")
    assert both["text"].iloc[1] == both["text"].iloc[3]
    encodings = both.attrs["corpus"]["encodings"]
    assert encodings["utf8.csv"] == "utf-8" and encodings["latin.csv"] != "utf-8"
    assert load_table(utf8, encoding="latin-1").attrs["corpus"]["encodings"] == {
        "utf8.csv": "iso8859-1"}  # a fixed encoding is recorded too


def test_encoding_auto_still_refuses_binary_files(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00garbage")
    with pytest.raises(ValueError, match=r"t.csv looks like a binary file"):
        load_table(path, encoding="auto")


def test_encoding_auto_in_a_text_folder(folder, tmp_path):
    (folder / "fra_2023.txt").write_bytes(_LATIN.encode("latin-1"))
    meta = tmp_path / "meta.csv"
    meta.write_bytes("file,speaker\nchn_2023.txt,Qin Gang\ndeu_2023.txt,Bärbock\n"
                     "fra_2023.txt,Colonna\n".encode("latin-1"))
    df = load_text_folder(folder, metadata=meta, encoding="auto")
    assert "Außenminister" in df.set_index("doc_id").loc["fra_2023", "text"]
    assert df["speaker"].tolist()[1] == "Bärbock"
    info = df.attrs["corpus"]
    assert list(info["encodings"]) == ["fra_2023.txt"]  # only the files not in UTF-8
    assert info["encoding_counts"]["utf-8"] == 2 and sum(info["encoding_counts"].values()) == 3
    assert info["metadata_encoding"] != "utf-8"
    assert "encodings" not in load_text_folder(folder, errors="replace").attrs["corpus"]


# --------------------------------------------------------------------------- 8-month fixture

PRESS = Path(__file__).parent / "fixtures" / "press_8months.csv"


def test_press_fixture_eight_months_two_governments():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean file loads without a word
        df = load_corpus(PRESS)
    assert len(df) == 40 and df["doc_id"].is_unique
    assert df.groupby("actor").size().to_dict() == {"CAN": 20, "DEU": 20}
    assert df["date"].dt.to_period("M").nunique() == 8
    assert (df["date"].min(), df["date"].max()) == (pd.Timestamp("2022-09-03 10:45"),
                                                     pd.Timestamp("2023-04-24 12:00"))
    assert df["date_raw"].notna().all() and df["date_raw"].str.endswith("Z").sum() == 4
    assert set(df["date_raw"].str[-6:]) >= {"+02:00", "+01:00", "-04:00", "-05:00"}
    late = df.set_index("doc_id").loc["CAN-PR-002"]
    assert (late["date_raw"], late["date"]) == ("2022-09-30T21:30:00-04:00",
                                                pd.Timestamp("2022-10-01 01:30"))
    assert df["year"].tolist() == df["date"].dt.year.tolist()
    assert not set(df["actor"]) & {"CHN", "FRA", "GBR", "RUS", "USA"}  # no P5 state


def test_press_fixture_as_two_files_with_assign(tmp_path):
    press = pd.read_csv(PRESS)
    paths = []
    for actor in ("DEU", "CAN"):
        path = tmp_path / f"{actor.lower()}.csv"
        press.loc[press["actor"] == actor, ["doc_id", "date", "title", "text"]].to_csv(
            path, index=False)
        paths.append(path)
    df = load_corpus(paths, assign=[{"actor": "DEU", "actor_name": "Germany"},
                                    {"actor": "CAN", "actor_name": "Canada"}])
    assert df["doc_id"].str.startswith(("deu/DEU-PR-", "can/CAN-PR-")).all()
    assert df.groupby("actor").size().to_dict() == {"CAN": 20, "DEU": 20}
    assert df.attrs["corpus"]["files"] == [str(p) for p in paths]


def test_load_corpus_passes_the_table_options(two_governments, monkeypatch):
    press, deu, _ = two_governments
    monkeypatch.chdir(press.parent)
    df = load_corpus("press/*.csv", columns=_MAP, id_column="id",
                     assign={"can": {"actor": "CAN"}, "deu": {"actor": "DEU"}},
                     on_bad_date="warn", encoding="auto")
    assert df["actor"].tolist() == ["CAN", "CAN", "DEU", "DEU"]
    assert df.attrs["corpus"]["loader"] == "load_table"
    assert load_corpus((deu,), columns=_MAP, id_column="id")["doc_id"].tolist() == ["deu/1",
                                                                                    "deu/2"]
