"""Matplotlib figures from tidy DataFrames. One submodule per analysis stage.

Every function returns a :class:`matplotlib.figure.Figure` with a title and labelled axes.
"""
from toolkit.plots import actors as actors  # toolkit.actors and toolkit.external tables
from toolkit.plots import alignment as alignment  # toolkit.alignment tables
from toolkit.plots import corpus as corpus  # toolkit.overview tables
from toolkit.plots import stance as stance  # toolkit.stance tables
from toolkit.plots import topics as topics  # toolkit.topics tables
from toolkit.plots import trends as trends  # toolkit.keywords tables

__all__ = ["actors", "alignment", "corpus", "stance", "topics", "trends"]
