"""Settings for the translation check: makemessages writes its catalogue to a copy in a temporary
folder (TONGBAN_MESSAGES_DIR) instead of the project's locale/."""

import os

from hall.settings import *  # noqa: F403

LOCALE_PATHS = [os.environ["TONGBAN_MESSAGES_DIR"]]
