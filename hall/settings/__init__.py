"""Settings package. `hall.settings` is the development and test default (runs on SQLite and
kombu's filesystem transport with no server to install); `hall.settings.production` hardens it.
Where uploaded and issued files are kept comes from storage.py (TONGBAN_STORAGE)."""

from .base import *  # noqa: F401,F403
from .storage import *  # noqa: F401,F403
