"""Ratings models, one module per concern; import them from ``evaluation.models``."""

from .figures import *  # noqa: F403
from .rating import *  # noqa: F403
from .rectification import *  # noqa: F403
from .service import *  # noqa: F403
