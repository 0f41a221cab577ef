"""The participant survey: `/s/<code>`, its thank-you page, the privacy notice and the help page."""

from .faults import init_blueprint as _answer_faults_with_503
from .views import bp

_answer_faults_with_503(bp)

__all__ = ["bp"]
