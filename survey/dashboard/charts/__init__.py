"""Plotly figures built from already-suppressed aggregates only (never from responses).

Each chart's builder is in its own module (trend, items, comparison, engagement); they share the look
(style, layout), the words (labels), the axes and bars, and the figure machinery (figure). Import a name
from the module that defines it.
"""
