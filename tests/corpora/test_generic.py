"""Tests for toolkit.corpora.generic: text folders and tables a researcher brings."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from toolkit.corpora.generic import decode_bytes, load_table, load_text_folder
from toolkit.corpora.schema import STANDARD_COLUMNS, CorpusValidationError


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
