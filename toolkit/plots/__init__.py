"""Matplotlib figures from tidy DataFrames. One submodule per analysis stage.

Every function returns a :class:`matplotlib.figure.Figure` with a title and labelled axes.
Importing this package applies the fptk style (:mod:`toolkit.plots.style`): the
colour-blind-safe Okabe-Ito palette as the default colour cycle, and fonts that embed in
PDFs.
"""
from toolkit.plots import actors as actors  # toolkit.actors and toolkit.external tables
from toolkit.plots import alignment as alignment  # toolkit.alignment tables
from toolkit.plots import corpus as corpus  # toolkit.overview tables
from toolkit.plots import stance as stance  # toolkit.stance tables
from toolkit.plots import style as style  # the figure style: palette, fonts (applied below)
from toolkit.plots import topics as topics  # toolkit.topics tables
from toolkit.plots import trends as trends  # toolkit.keywords tables
from toolkit.plots.style import PALETTE, apply_style

apply_style()

__all__ = ["PALETTE", "actors", "alignment", "apply_style", "corpus", "stance", "style",
           "topics", "trends"]
