"""Case models, one module per concern; import them from ``cases.models``."""

from .commitment import Commitment  # noqa: F401
from .core import *  # noqa: F403
from .core import _verification_token  # noqa: F401
from .counter import CounterScan  # noqa: F401
from .handoff import *  # noqa: F403
