"""Tests for toolkit.corpora.registry: cards, locate, fetch (against a local server), dispatch."""

from __future__ import annotations

import hashlib
import io
import socket
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
import yaml

from toolkit.corpora import cards as cards_module
from toolkit.corpora import registry
from toolkit.corpora.registry import (
    CorpusNotFoundError,
    FetchError,
    corpus_card,
    corpus_info,
    corpus_names,
    default_corpus_name,
    fetch,
    identify_release,
    list_corpora,
    load_corpus,
    locate,
)

UNGDC_SHA = "01396f746e4ff39d0bfb3e249b45214854aa111287b6b2403c806fdd3a508579"
SPEAKERS_SHA = "54b42434dc342a55200ee0be34a93407d9081cc60b6de89c9d0a46c04ad4f63f"


# --------------------------------------------------------------------------- the real cards


def test_every_card_parses_and_has_the_required_fields():
    names = corpus_names()
    assert {"ungdc", "cmfa_ukraine", "sotu"} <= set(names)
    for name in names:
        card = corpus_card(name)
        for key in ("title", "description", "loader", "licence", "citation", "obtain"):
            assert card[key], f"{name}: empty {key}"
        assert card["releases"], name
        for rel in card["releases"]:
            for f in rel["files"]:
                sha = f.get("sha256")
                assert sha is None or (len(sha) == 64 and int(sha, 16) >= 0), (name, f)


def test_ungdc_card_knows_the_shared_release_checksums():
    card = corpus_card("ungdc")
    assert card["source"]["doi"] == "doi:10.7910/DVN/0TJX8Y"
    shared = next(r for r in card["releases"] if r["name"] == card["default_release"])
    files = {f["name"]: f for f in shared["files"]}
    assert files["UNGDC_1946-2024.tgz"]["sha256"] == UNGDC_SHA
    assert files["Speakers_by_session.xlsx"]["sha256"] == SPEAKERS_SHA
    v14 = next(r for r in card["releases"] if r["name"] == "v14")
    assert registry._file_url(card, v14["files"][0]).endswith("/api/access/datafile/13591895")


def test_corpus_card_is_a_copy():
    card = corpus_card("ungdc")
    card["title"] = "changed"
    assert corpus_card("ungdc")["title"] != "changed"


def test_unknown_corpus_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown corpus 'nope'.*'ungdc'"):
        corpus_card("nope")


# --------------------------------------------------------------------------- toy cards


def _make_archive(folder: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = b"We speak of peace.\n"
        info = tarfile.TarInfo("TXT/Session 01 - 1946/AAA_01_1946.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def archive_bytes(tmp_path):
    return _make_archive(tmp_path)


def _handler(routes: dict[str, tuple[int, dict[str, str], bytes]], hits: list[str]) -> type:
    """A request handler serving fixed responses and recording the paths asked for."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            status, headers, body = routes.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def server(archive_bytes):
    gz = {"Content-Type": "application/gzip"}
    routes = {
        "/files/good": (200, gz, archive_bytes),
        # Content-Length promises more than the body: a broken-off download.
        "/files/trunc": (200, {**gz, "Content-Length": str(len(archive_bytes) + 1000)},
                         archive_bytes[: len(archive_bytes) // 2]),
        "/files/other": (200, gz, b"x" * 300),
        "/files/gated": (403, {"Content-Type": "text/plain"}, b"guestbook required"),
        "/files/html": (200, {"Content-Type": "text/html; charset=utf-8"}, b"<html></html>"),
    }
    hits: list[str] = []
    Handler = _handler(routes, hits)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def _toy_card(base: str, sha: str, datafile_id: str = "good") -> dict:
    return {
        "name": "toy",
        "title": "Toy corpus",
        "description": "A tiny archive served from 127.0.0.1.",
        "loader": "toolkit.corpora.generic:load_text_folder",
        "source": {"url": "https://example.org/toy", "download_url": base + "/files/{datafile_id}"},
        "licence": "CC0",
        "citation": ["Nobody (2024). Toy."],
        "locate": ["TOY_*.tgz"],
        "default_release": "r1",
        "releases": [
            {"name": "r1", "files": [{"name": "TOY_1.tgz", "datafile_id": datafile_id,
                                      "sha256": sha}]},
            {"name": "manual", "files": [{"name": "TOY_2.tgz", "sha256": None}]},
        ],
        "obtain": "Put TOY_1.tgz in <data home>/toy/.",
    }


@pytest.fixture
def toy_cards(tmp_path, monkeypatch, server, archive_bytes):
    """Replace the card folder by one holding a 'toy' card; returns a writer for it."""
    base, _ = server
    cards = tmp_path / "cards"
    cards.mkdir()

    def write(**overrides):
        card = _toy_card(base, hashlib.sha256(archive_bytes).hexdigest())
        card.update(overrides)
        (cards / "toy.yaml").write_text(yaml.safe_dump(card), encoding="utf-8")

    write()
    monkeypatch.setattr(cards_module, "cards_dir", lambda: cards)
    return write


def _serve_from(write_card, datafile_id: str) -> None:
    """Point the toy release's file at another route of the local server."""
    card = yaml.safe_load((cards_module.cards_dir() / "toy.yaml").read_text(encoding="utf-8"))
    card["releases"][0]["files"][0]["datafile_id"] = datafile_id
    write_card(releases=card["releases"])


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_fetch_downloads_verifies_and_moves_into_place(toy_cards, tmp_path, archive_bytes, server):
    home = tmp_path / "home"
    path = fetch("toy", data_home=home, progress=False)
    assert path == home / "toy" / "TOY_1.tgz"
    assert path.read_bytes() == archive_bytes
    assert _leftovers(home / "toy") == ["TOY_1.tgz"]  # no temporary file left


def test_fetch_looks_in_the_data_home_first(toy_cards, tmp_path, server):
    _, hits = server
    home = tmp_path / "home"
    (home / "toy").mkdir(parents=True)
    mine = home / "toy" / "TOY_9.tgz"
    mine.write_bytes(b"my own copy")
    assert fetch("toy", data_home=home, progress=False) == mine
    assert hits == []  # no download was attempted
    assert mine.read_bytes() == b"my own copy"


def test_fetch_truncated_download_leaves_nothing(toy_cards, tmp_path):
    _serve_from(toy_cards, "trunc")
    home = tmp_path / "home"
    with pytest.raises(FetchError, match=r"truncated: got \d+ of \d+ bytes; nothing was kept"):
        fetch("toy", data_home=home, progress=False)
    assert _leftovers(home / "toy") == []


def test_fetch_checksum_mismatch_leaves_nothing(toy_cards, tmp_path):
    _serve_from(toy_cards, "other")
    home = tmp_path / "home"
    with pytest.raises(FetchError, match=r"Checksum mismatch for TOY_1.tgz") as err:
        fetch("toy", data_home=home, progress=False)
    assert str(home / "toy" / "TOY_1.tgz") in str(err.value)  # where to put a manual download
    assert _leftovers(home / "toy") == []


def test_fetch_refused_403_says_where_to_put_the_file(toy_cards, tmp_path):
    _serve_from(toy_cards, "gated")
    home = tmp_path / "home"
    with pytest.raises(FetchError, match=r"(?s)refused.*HTTP 403.*guestbook") as err:
        fetch("toy", data_home=home, progress=False)
    msg = str(err.value)
    assert f"put it, unchanged, at:\n    {home / 'toy' / 'TOY_1.tgz'}" in msg
    assert "fptk fetch toy" in msg
    assert _leftovers(home / "toy") == []


def test_fetch_html_instead_of_file_is_refused(toy_cards, tmp_path):
    _serve_from(toy_cards, "html")
    home = tmp_path / "home"
    with pytest.raises(FetchError, match=r"returned an HTML page instead of TOY_1.tgz"):
        fetch("toy", data_home=home, progress=False)
    assert _leftovers(home / "toy") == []


def test_fetch_offline_says_so(toy_cards, tmp_path):
    with socket.socket() as s:  # a port on which nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tmp_path / "home"
    with pytest.raises(FetchError, match=r"Could not reach .* are you offline\?") as err:
        fetch("toy", data_home=home, url=f"http://127.0.0.1:{port}/x.tgz", progress=False,
              timeout=5)
    assert str(home / "toy" / "TOY_1.tgz") in str(err.value)
    assert _leftovers(home / "toy") == []


def test_fetch_release_without_url_asks_for_a_manual_download(toy_cards, tmp_path):
    home = tmp_path / "home"
    with pytest.raises(FetchError, match=r"(?s)no download URL for TOY_2.tgz.*Download TOY_2.tgz "
                                         r"yourself from https://example.org/toy"):
        fetch("toy", release="manual", data_home=home, progress=False)


def test_fetch_never_overwrites_a_user_file(toy_cards, tmp_path):
    home = tmp_path / "home"
    (home / "toy").mkdir(parents=True)
    mine = home / "toy" / "TOY_1.tgz"
    mine.write_bytes(b"not the release")
    with pytest.raises(FetchError, match=r"already exists but its SHA-256 is .* never overwrites"):
        fetch("toy", release="r1", data_home=home, progress=False)
    assert mine.read_bytes() == b"not the release"


def test_fetch_unknown_release(toy_cards, tmp_path):
    with pytest.raises(ValueError, match=r"no release 'r9'; known releases: \['r1', 'manual'\]"):
        fetch("toy", release="r9", data_home=tmp_path)


def test_fetch_ungdc_from_a_mirror_checks_the_known_checksum(tmp_path, server):
    """The real UNGDC card's checksum rejects the toy archive served as a mirror."""
    base, _ = server
    home = tmp_path / "home"
    with pytest.raises(FetchError, match=r"Checksum mismatch for UNGDC_1946-2024.tgz.*"
                                         + UNGDC_SHA):
        fetch("ungdc", release="1946-2024", url=base + "/files/good", data_home=home,
              progress=False)
    assert _leftovers(home / "ungdc") == []


def test_fetch_embedded_corpus_needs_no_download(tmp_path):
    assert fetch("sotu", data_home=tmp_path) == locate("sotu")


def test_bad_card_is_named(tmp_path, monkeypatch):
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "mine.yaml").write_text("name: other\ntitle: x\n", encoding="utf-8")
    monkeypatch.setattr(cards_module, "cards_dir", lambda: cards)
    with pytest.raises(ValueError, match=r"mine.yaml lacks the keys \['description'"):
        corpus_names()
    (cards / "mine.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"mine.yaml is not valid YAML"):
        corpus_names()


# --------------------------------------------------------------------------- locate, list


def test_locate_missing_corpus_says_where_to_put_it(tmp_path):
    with pytest.raises(CorpusNotFoundError, match=r"not in the data home") as err:
        locate("ungdc", data_home=tmp_path)
    assert f"in {tmp_path / 'ungdc'}/" in str(err.value)
    assert "FPTK_DATA_HOME" in str(err.value)


def test_locate_and_default_corpus(tmp_path):
    assert default_corpus_name(data_home=tmp_path) == "sotu"
    (tmp_path / "ungdc").mkdir()
    archive = tmp_path / "ungdc" / "UNGDC_1946-2030.tgz"
    archive.write_bytes(b"")
    assert locate("ungdc", data_home=tmp_path) == archive
    assert default_corpus_name(data_home=tmp_path) == "ungdc"


def test_locate_finds_an_extracted_folder(tmp_path):
    (tmp_path / "ungdc" / "TXT").mkdir(parents=True)
    assert locate("ungdc", data_home=tmp_path) == tmp_path / "ungdc" / "TXT"


def test_list_corpora_reports_availability(tmp_path):
    table = list_corpora(data_home=tmp_path)
    assert list(table.columns) == ["name", "title", "description", "available", "path",
                                   "embedded"]
    rows = table.set_index("name")
    assert not rows.loc["ungdc", "available"]
    assert rows.loc["ungdc", "path"] is None
    assert rows.loc["sotu", "available"] and rows.loc["sotu", "embedded"]


def test_identify_release(tmp_path):
    f = tmp_path / "x.tgz"
    f.write_bytes(b"abc")
    assert identify_release("ungdc", f) is None
    assert identify_release("ungdc", sha256=UNGDC_SHA) == "1946-2024"
    assert identify_release("ungdc", tmp_path / "missing.tgz") is None


# --------------------------------------------------------------------------- load_corpus


def test_load_corpus_by_name_and_by_path(tmp_path):
    sotu = load_corpus("sotu")
    assert (sotu["source"] == "sotu").all()
    folder = tmp_path / "speeches"
    folder.mkdir()
    (folder / "a.txt").write_text("Arms control matters.", encoding="utf-8")
    assert load_corpus(folder)["doc_id"].tolist() == ["a"]
    table = tmp_path / "t.csv"
    pd.DataFrame({"doc_id": ["x"], "text": ["hello"]}).to_csv(table, index=False)
    assert load_corpus(str(table))["text"].tolist() == ["hello"]


def test_load_corpus_passes_options():
    df = load_corpus("sotu", actor="president")
    assert "bush-43" in set(df["actor"])


def test_load_corpus_unknown_name_or_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"'nope' is neither a known corpus"):
        load_corpus("nope")
    odd = tmp_path / "x.docx"
    odd.write_bytes(b"")
    with pytest.raises(ValueError, match=r"Do not know how to load .*x.docx"):
        load_corpus(odd)


def test_corpus_info_reads_attrs():
    df = load_corpus("sotu")
    info = corpus_info(df)
    assert info["name"] == "sotu"
    assert info["n_docs"] == len(df)
    assert info["years"][0] == int(df["year"].min())


# --------------------------------------------------------------------------- integration


@pytest.mark.integration
def test_real_data_home_is_found_without_download(data_home):
    path = fetch("ungdc", data_home=data_home, progress=False)
    assert path.name == "UNGDC_1946-2024.tgz"
    assert identify_release("ungdc", path) == "1946-2024"
    assert default_corpus_name(data_home=data_home) == "ungdc"
    cmfa = locate("cmfa_ukraine", data_home=data_home)
    assert cmfa.name == "ukraine_dataset_combined.xlsx"
    assert identify_release("cmfa_ukraine", cmfa) == "v4-ukraine"
