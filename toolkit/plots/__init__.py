"""Matplotlib figures from tidy DataFrames. One submodule per analysis stage.

Every function returns a :class:`matplotlib.figure.Figure` with a title and labelled axes.
"""
from toolkit.plots import actors as actors  # EXTERNAL helper
from toolkit.plots import alignment as alignment  # ALIGNMENT helper
from toolkit.plots import corpus as corpus  # REPORT helper
from toolkit.plots import topics as topics  # TOPICS helper
from toolkit.plots import trends as trends  # KEYWORDS helper
