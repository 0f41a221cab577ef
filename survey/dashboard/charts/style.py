"""The charts' shared look: colours, the system font, escaping and wrapping for Plotly, rounding, band colours."""

from __future__ import annotations

from html import escape

BLUE = "#0b57a4"
BAND_FILL = "rgba(11,87,164,0.18)"
GREY = "#b0b0b0"
BAD_BAND = "rgba(200,60,40,0.10)"
MIDDLE_BAND = "rgba(230,170,30,0.10)"
GOOD_BAND = "rgba(40,140,60,0.10)"
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


def esc(text: object) -> str:
    """Escape a text for Plotly, which renders a subset of HTML (links included) in every label."""
    return escape(str(text), quote=False)  # Plotly decodes &lt; &gt; &amp; but not &quot;


def rounded(value: float | None) -> float | None:
    """Round a statistic as the JSON does (3 decimals), so figures never carry full precision."""
    return None if value is None else round(value, 3)


def clip(value: float, low: float, high: float) -> float:
    """Keep an interval end inside the scale's range."""
    return min(max(value, low), high)


def band_colour(low: float, high: float, scale_low: float, scale_high: float, higher_is_better: bool) -> str:
    """Colour a band by what it means: the good end green, the bad end red, whichever way the scale runs."""
    span = (scale_high - scale_low) or 1.0
    position = ((low + high) / 2 - scale_low) / span
    goodness = position if higher_is_better else 1 - position
    if goodness < 1 / 3:
        return BAD_BAND
    if goodness > 2 / 3:
        return GOOD_BAND
    return MIDDLE_BAND


def wrap(text: str, width: int = 48) -> str:
    """Escape a long label and break it into lines instead of cutting it."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(esc(line) for line in lines)
