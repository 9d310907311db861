"""Fixtures of the hall tests."""

from .floor_helpers import clock, floor  # noqa: F401 - the hall floor's clock and opening hours
from .s3 import s3_server, s3_storage  # noqa: F401 - a local S3-compatible server and a bucket on it
