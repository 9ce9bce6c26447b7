"""Tests for toolkit.corpora.cmfa (CMFA PressCon v4 schema)."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.corpora.cmfa import CMFA_COLUMNS, CMFA_FILE, load_cmfa
from toolkit.corpora.schema import STANDARD_COLUMNS


def _row(i, *, id_split=None, answer="China's position is consistent.", spokesperson="Mao Ning",
         date="2023-02-24", who="AFP"):
    ts = pd.Timestamp(date)
    return {
        "id_orig": 1000 + i, "id_split": id_split or str(1000 + i), "id": 2000 + i,
        "link": f"https://example.org/{i}", "spokesperson": spokesperson, "day": ts.day,
        "month": ts.month_name(), "year": ts.year, "date": ts,
        "question": f"Question {i} about Ukraine?", "answer": answer,
        "question_lem": f"question {i} about Ukraine", "answer_lem": "china position be consistent",
        "who_asked": who, "q_loc": "Ukraine", "q_per": "-", "q_org": "-", "q_misc": "-",
        "a_loc": "China", "a_per": "-", "a_org": "UN", "a_misc": "-",
        "a_sentiment": 1.5, "q_sentiment": 0.5,
    }


@pytest.fixture
def xlsx(tmp_path):
    rows = [
        _row(0, date="2022-03-01"),
        _row(1, id_split="27153_1", answer="-", date="2023-03-10"),
        _row(2, id_split="27153_2", answer="Let me answer both questions.", date="2023-03-10"),
        _row(3, spokesperson="missing", who="-", date="2002-11-19"),
    ]
    path = tmp_path / CMFA_FILE
    pd.DataFrame(rows, columns=list(CMFA_COLUMNS)).to_excel(path, index=False)
    return path


def test_answer_is_the_text_and_placeholders_are_na(xlsx):
    with pytest.warns(UserWarning, match=r"skipped 1 pair\(s\) without answer text: "
                                         r"\['cmfa_2001'\]"):
        df = load_cmfa(xlsx)
    assert list(df.columns[: len(STANDARD_COLUMNS)]) == list(STANDARD_COLUMNS)
    assert df["doc_id"].tolist() == ["cmfa_2003", "cmfa_2000", "cmfa_2002"]  # sorted by date
    assert df["text"].iloc[1] == "China's position is consistent."
    assert df["question"].iloc[1] == "Question 0 about Ukraine?"
    assert "answer" not in df.columns
    assert (df["actor"] == "CHN").all() and (df["source"] == "cmfa_ukraine").all()
    assert df["speaker"].isna().tolist() == [True, False, False]  # "missing" -> NA
    assert df["who_asked"].isna().tolist() == [True, False, False]  # "-" -> NA
    assert df["q_per"].isna().all()
    assert df["year"].tolist() == [2002, 2022, 2023]
    assert df["id_split"].tolist() == ["1003", "1000", "27153_2"]
    info = df.attrs["corpus"]
    assert info["n_docs"] == 3 and info["text"] == "answer"
    assert info["skipped"][0]["file"] == f"{CMFA_FILE}:cmfa_2001 (id_split 27153_1)"
    assert info["release"] is None  # not the known file
    assert len(info["sha256"]) == 64


def test_question_and_both(xlsx):
    q = load_cmfa(xlsx, text="question")
    assert len(q) == 4
    assert q.set_index("doc_id").loc["cmfa_2001", "text"] == "Question 1 about Ukraine?"
    assert q.set_index("doc_id")["answer"].isna().sum() == 1
    both = load_cmfa(xlsx, text="both").set_index("doc_id")
    assert both.loc["cmfa_2000", "text"] == (
        "Question 0 about Ukraine?\n\nChina's position is consistent.")
    assert both.loc["cmfa_2001", "text"] == "Question 1 about Ukraine?"
    assert {"question", "answer"} <= set(both.columns)


def test_missing_answer_can_be_an_error(xlsx):
    with pytest.raises(ValueError, match=r"no answer text for \['cmfa_2001'\].*text='question'"):
        load_cmfa(xlsx, on_empty="error")


def test_folder_path_and_bad_inputs(xlsx, tmp_path):
    with pytest.warns(UserWarning):
        assert len(load_cmfa(xlsx.parent)) == 3
    with pytest.raises(FileNotFoundError, match=r"CMFA file .*nope.xlsx does not exist"):
        load_cmfa(tmp_path / "nope.xlsx")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=rf"No {CMFA_FILE} in"):
        load_cmfa(empty)
    with pytest.raises(ValueError, match=r"text must be 'answer', 'question' or 'both'"):
        load_cmfa(xlsx, text="title")


def test_wrong_schema_names_missing_columns(tmp_path):
    path = tmp_path / "other.xlsx"
    pd.DataFrame({"id": [1], "answer": ["x"]}).to_excel(path, index=False)
    with pytest.raises(ValueError, match=r"not in the CMFA PressCon v4 schema: it lacks the "
                                         r"columns \['id_orig', 'id_split', 'link'"):
        load_cmfa(path)


def test_not_an_excel_file(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"bad.xlsx is not a readable Excel file"):
        load_cmfa(path)


@pytest.mark.integration
def test_real_cmfa_ukraine(data_home):
    both = load_cmfa(data_home / "cmfa_ukraine", text="both")
    assert len(both) == 661
    assert both["date"].min() == pd.Timestamp("2002-11-19")
    assert both["date"].max() == pd.Timestamp("2023-12-29")
    assert both["year"].value_counts()[2022] == 346
    assert both["year"].value_counts()[2023] == 185
    assert both.attrs["corpus"]["release"] == "v4-ukraine"
    with pytest.warns(UserWarning, match=r"skipped 2 pair"):
        answers = load_cmfa(data_home / "cmfa_ukraine")
    info = answers.attrs["corpus"]
    assert info["n_docs"] + len(info["skipped"]) == 661
    assert {s["file"].split(":")[1].split()[0] for s in info["skipped"]} == {
        "cmfa_28960", "cmfa_30229"}
    assert answers["speaker"].notna().sum() == 658  # one "missing" spokesperson, in a kept row
