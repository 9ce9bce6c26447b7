"""The figure style: the default colour cycle is the Okabe-Ito palette; fonts embed in PDFs."""

from __future__ import annotations

import io

import matplotlib as mpl
import matplotlib.colors as mcolors
import pandas as pd

from toolkit import plots
from toolkit.plots import style


def test_the_palette_is_okabe_ito():
    # Okabe & Ito (2008), "Color Universal Design", as RGB 0-255.
    rgb = [(0, 114, 178), (230, 159, 0), (0, 158, 115), (213, 94, 0), (204, 121, 167),
           (86, 180, 233), (240, 228, 66), (0, 0, 0)]
    assert [tuple(round(255 * v) for v in mcolors.to_rgb(c)) for c in style.PALETTE] == rgb
    assert plots.PALETTE is style.PALETTE


def test_the_default_cycle_is_the_palette_after_the_style_is_applied():
    with mpl.rc_context():
        mpl.rcdefaults()
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][0] != "#0072B2"
        style.apply_style()
        cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        assert [c.upper() for c in cycle] == list(style.PALETTE)
        assert mpl.rcParams["pdf.fonttype"] == 42
        assert mpl.rcParams["svg.fonttype"] == "path"
        # "C0".."C7" resolve to the palette, so plots that name "C<k>" use it too.
        assert [mcolors.to_hex(f"C{i}").upper() for i in range(8)] == list(style.PALETTE)


def test_importing_plots_applied_the_style():
    # toolkit.plots applies the style at import; nothing in the tests resets it for good.
    import importlib

    with mpl.rc_context():
        mpl.rcdefaults()
        importlib.reload(plots)
        assert [c.upper() for c in mpl.rcParams["axes.prop_cycle"].by_key()["color"]] == list(
            style.PALETTE)


def test_style_context_restores_the_previous_style():
    with mpl.rc_context({"axes.prop_cycle": mpl.cycler(color=["#123456"])}):
        with style.style_context():
            assert mcolors.to_hex("C0").upper() == "#0072B2"
        assert mcolors.to_hex("C0") == "#123456"


def _colours(fig) -> set[str]:
    out = set()
    for ax in fig.axes:
        for line in ax.get_lines():
            out.add(mcolors.to_hex(line.get_color()).upper())
        for patch in ax.patches:
            out.add(mcolors.to_hex(patch.get_facecolor()).upper())
    return out


def test_plots_that_name_colours_use_the_palette():
    by_year = pd.DataFrame({"year": [2000, 2001, 2002], "n_docs": [3, 4, 5],
                            "n_actors": [2, 3, 3], "words_median": [100.0, 120.0, 90.0],
                            "words_q25": [80.0, 90.0, 70.0], "words_q75": [130.0, 150.0, 110.0]})
    fig = plots.corpus.plot_docs_per_year(by_year)
    assert _colours(fig) == {style.PALETTE[0], style.PALETTE[1]}
    fig = plots.corpus.plot_lengths_by_year(by_year)
    assert _colours(fig) <= set(style.PALETTE)
    assert set(plots.stance.STANCE_COLORS.values()) <= set(style.PALETTE)


def test_a_pdf_saved_in_the_style_embeds_truetype_fonts():
    fig = plots.corpus.plot_docs_per_year(pd.DataFrame(
        {"year": [2000, 2001], "n_docs": [3, 4], "n_actors": [2, 3]}))
    buf = io.BytesIO()
    with style.style_context():
        fig.savefig(buf, format="pdf")
    pdf = buf.getvalue()
    # fonttype 42: the glyphs of a TrueType font embedded as a font file (/FontFile2, here as
    # a CID font), not drawn as Type 3 procedures (matplotlib's default, often refused).
    assert b"/FontFile2" in pdf and b"/Type /FontDescriptor" in pdf
    assert b"/Subtype /Type3" not in pdf
    with mpl.rc_context({"pdf.fonttype": 3}):  # the check tells the two apart
        buf = io.BytesIO()
        fig.savefig(buf, format="pdf")
    assert b"/Subtype /Type3" in buf.getvalue() and b"/FontFile2" not in buf.getvalue()
