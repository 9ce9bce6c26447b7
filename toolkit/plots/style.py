"""The figure style of fptk: a colour-blind-safe palette, fonts that embed, stable vector files.

Importing :mod:`toolkit.plots` applies :data:`RC` to matplotlib's ``rcParams`` (see
:func:`apply_style`), so every figure of a report draws its lines and bars from
:data:`PALETTE`, the eight colours of Okabe & Ito (2008), which stay distinct under the
common forms of colour-vision deficiency (and in greyscale for the dark/light pairs).
Heat maps use ``viridis``, a perceptually uniform map that is also colour-blind safe.

The same settings make the vector files fit for a paper:

* ``pdf.fonttype = 42``: PDFs embed their fonts as TrueType (``/FontFile2``), so the
  text is real text that journals accept (the default Type 3 fonts are often refused);
* ``svg.fonttype = "path"``: SVGs draw every glyph as a path, so a figure looks the same
  on every machine whatever fonts it has; the text is not editable in the SVG (edit the
  PDF, whose text is kept as text);
* ``svg.hashsalt``: fixed, so two runs give identical SVG ids.

``matplotlib.rcdefaults()`` undoes the style; :func:`style_context` applies it for one
block only.

References
----------
Okabe, M. & Ito, K. (2008). Color Universal Design (CUD): How to make figures and
presentations that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["OKABE_ITO", "PALETTE", "RC", "apply_style", "colour", "style_context"]

#: The Okabe-Ito palette, in the order the colour cycle uses it: blue, orange, bluish
#: green, vermillion, reddish purple, sky blue, yellow, black. Yellow and black come last:
#: yellow is faint as a thin line on white, and black is kept for reference marks.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

#: The palette of every categorical colour in :mod:`toolkit.plots` (the default cycle).
PALETTE: tuple[str, ...] = OKABE_ITO


def colour(i: int) -> str:
    """The ``i``-th colour of :data:`PALETTE`, cycling.

    Parameters
    ----------
    i : int
        Position (0 = the first colour); wraps around after the eight colours.

    Returns
    -------
    str
        A hex colour such as ``"#0072B2"``.
    """
    return PALETTE[i % len(PALETTE)]


def _rc() -> dict[str, Any]:
    from cycler import cycler

    return {
        "axes.prop_cycle": cycler(color=list(PALETTE)),
        "image.cmap": "viridis",
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "path",
        "svg.hashsalt": "fptk",
    }


#: The ``rcParams`` of the fptk style (see the module docstring for each choice).
RC: dict[str, Any] = _rc()


def apply_style() -> None:
    """Set the fptk style in matplotlib's global ``rcParams``.

    Called when :mod:`toolkit.plots` is imported. Idempotent.

    Returns
    -------
    None
    """
    import matplotlib as mpl

    mpl.rcParams.update(RC)


@contextlib.contextmanager
def style_context() -> Iterator[None]:
    """Apply the fptk style inside a ``with`` block only.

    Returns
    -------
    contextmanager
        Restores the previous ``rcParams`` on exit.
    """
    import matplotlib as mpl

    with mpl.rc_context(RC):
        yield
