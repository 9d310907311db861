"""Fixtures of the hall tests."""

from .floor_helpers import clock, floor  # noqa: F401 - the hall floor's clock and opening hours
