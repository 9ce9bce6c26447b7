"""Tests for toolkit.report.render: the self-contained, escaped HTML of one notebook."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from toolkit import report
from toolkit.report.render import _drop_progress_bars, _fold_warnings

EVIL = '<script>alert("fptk")</script>'
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def _executed_nb(path: Path) -> Path:
    nb = new_notebook()
    params = new_code_cell(f"corpus = {EVIL!r}")
    params.metadata["tags"] = ["injected-parameters"]
    table = new_code_cell("df")
    table.outputs = [new_output("display_data", data={
        "text/html": pd.DataFrame({"excerpt": [EVIL]})._repr_html_(), "text/plain": "df"})]
    fig = new_code_cell("fig")
    fig.outputs = [new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"},
                              metadata={"image/png": {"alt": f"Figure 1. {EVIL}"}})]
    nb.cells = [new_markdown_cell("# Title"), params, table, fig]
    nb.metadata["kernelspec"] = KERNELSPEC
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("exclude_input", [True, False])
def test_render_html_is_self_contained_and_escaped(tmp_path, exclude_input):
    out = report.render_html(_executed_nb(tmp_path / "nb.ipynb"), tmp_path / "nb.html",
                             exclude_input=exclude_input)
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=", page), "no script may be loaded from anywhere"
    assert not re.search(r"""<link[^>]*href=["']?https?:""", page)
    assert not re.search(r"""url\(["']?https?:""", page)
    assert '<script>alert("fptk")</script>' not in page
    assert "&lt;script&gt;alert" in page
    assert page.count('src="data:image/png;base64,') == 1
    assert 'alt="Figure 1. &lt;script&gt;' in page
    assert ("Parameters of this run" in page) is exclude_input
    assert ("x = 1" in page) is False  # no stray cells
    assert (">df<" in page or "df</span>" in page) is (not exclude_input)


def test_progress_bars_are_dropped_but_warnings_kept():
    nb = new_notebook()
    cell = new_code_cell("x")
    cell.outputs = [
        new_output("stream", name="stderr", text="sweep_k:  12%|█▎  | 1/8 [00:49<05:48, 49.82s/it]"
                   "\rsweep_k: 100%|██████████| 8/8 [01:54<00:00, 14.31s/it]\n"),
        new_output("stream", name="stderr", text="UserWarning: 6 points rest on few documents\n"
                   "tokenise:  7%|▋ | 208/3064 [00:00<00:01, 1945.58doc/s]\n"),
        new_output("stream", name="stdout", text="kept 50%|\n"),
    ]
    nb.cells = [cell]
    assert _drop_progress_bars(nb) >= 3
    texts = [o["text"] for o in nb.cells[0].outputs]
    assert texts == ["UserWarning: 6 points rest on few documents\n", "kept 50%|\n"]


def test_warnings_are_folded_and_escaped():
    nb = new_notebook()
    cell = new_code_cell("x")
    cell.outputs = [new_output("stream", name="stderr", text=f"UserWarning: {EVIL}\nmore\n")]
    nb.cells = [cell]
    assert _fold_warnings(nb) == 1
    out = nb.cells[0].outputs[0]
    assert out["output_type"] == "display_data"
    page = out["data"]["text/html"]
    assert page.startswith('<details class="fptk-warnings"')
    assert "<script>" not in page and "&lt;script&gt;" in page and "more" in page


def test_kernel_file_names_become_notebook_cells():
    from ipykernel.compiler import get_tmp_hash_seed, murmur2_x86

    from toolkit.report.render import _name_cells

    source = "import warnings\nwarnings.warn('few documents')"
    cell = new_code_cell(source, execution_count=7)
    name = murmur2_x86(source, get_tmp_hash_seed())
    cell.outputs = [new_output("stream", name="stderr", text=(
        f"/tmp/ipykernel_4242/{name}.py:2: UserWarning: few documents\n"
        "/tmp/ipykernel_4242/99.py:3: UserWarning: elsewhere\n"
        "/x/site-packages/pandas/core/frame.py:12: FutureWarning: kept\n"))]
    nb = new_notebook()
    nb.cells = [cell]
    assert _name_cells(nb) == 2
    assert nb.cells[0].outputs[0]["text"] == (
        "Cell In[7], line 2: UserWarning: few documents\n"
        "A notebook cell, line 3: UserWarning: elsewhere\n"
        "/x/site-packages/pandas/core/frame.py:12: FutureWarning: kept\n")
