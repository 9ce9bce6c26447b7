"""`make lab`: a Jupyter server on notebooks/ lists them and runs one through its own kernel.

The server is started on 127.0.0.1 with a token, like `make lab` does (without the browser
front end); the test lists ``notebooks/`` over the REST API, starts a kernel through the
server, executes ``00-corpus-overview`` cell by cell in it on a fixture corpus, and stops
the server. Running a notebook by hand must write nothing into ``notebooks/``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from toolkit import config

ROOT = config.project_root()
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(ROOT is None, reason="needs the notebooks/ of a checkout")]


def _smoke_module():
    """tests/test_notebooks.py (its fixture corpus), loaded by path (importlib mode)."""
    path = Path(__file__).with_name("test_notebooks.py")
    spec = importlib.util.spec_from_file_location("fptk_test_notebooks_lab", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, token: str, path: str, method: str = "GET", body: dict | None = None):
    req = urllib.request.Request(
        f"{base}{path}", method=method, data=json.dumps(body).encode() if body else None,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def server(tmp_path):
    port, token = _free_port(), "fptk-test-token"
    runtime = tmp_path / "runtime"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={ROOT / 'notebooks'}",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                _api(base, token, "/api/status")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the Jupyter server did not start within 60 s")
        yield base, token, runtime
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_lab_lists_and_runs_the_overview_notebook(server, tmp_path):
    from jupyter_client import BlockingKernelClient

    write_fixture_corpus = _smoke_module().write_fixture_corpus
    base, token, runtime = server
    before = _tree(ROOT / "notebooks")
    listed = {c["name"] for c in _api(base, token, "/api/contents")["content"]}
    assert {p.name for p in (ROOT / "notebooks").glob("*.ipynb")} <= listed
    kernel = _api(base, token, "/api/kernels", "POST", {"name": "python3"})
    client = BlockingKernelClient()
    client.load_connection_file(str(runtime / f"kernel-{kernel['id']}.json"))
    # A client without a kernel manager judges the kernel alive by its heartbeat, which
    # allows 1 s by default: on a loaded 2-core machine that declares a starting kernel dead.
    client.hb_channel.time_to_dead = 30.0
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        nb = nbformat.read(ROOT / "notebooks" / "00-corpus-overview.ipynb", as_version=4)
        corpus = write_fixture_corpus(tmp_path)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            code = cell.source
            if "parameters" in cell.metadata.get("tags", []):
                code += f"\ncorpus = {str(corpus)!r}\n"
            reply = client.execute_interactive(code, timeout=300, output_hook=lambda m: None)
            assert reply["content"]["status"] == "ok", (cell.source[:200], reply["content"])
    finally:
        client.stop_channels()
        _api(base, token, f"/api/kernels/{kernel['id']}", "DELETE")
    assert _tree(ROOT / "notebooks") == before
