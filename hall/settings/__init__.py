"""Settings package. `hall.settings` is the development and test default (runs on SQLite and
kombu's filesystem transport with no server to install); `hall.settings.production` hardens it."""

from .base import *  # noqa: F401,F403
