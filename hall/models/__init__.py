"""Hall models, one module per concern; import them from ``hall.models``."""

from .floor import *  # noqa: F403
from .organisation import *  # noqa: F403
from .security import *  # noqa: F403
