"""Hall models, one module per concern; import them from ``hall.models``."""

from .organisation import *  # noqa: F403
from .floor import *  # noqa: F403
