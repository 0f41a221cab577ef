"""The participant survey: `/s/<code>`, its thank-you page, the privacy notice and the help page."""

from .views import bp

__all__ = ["bp"]
