"""A local S3-compatible server for tests: moto's server mode on a loopback port, and the portal's own
storage settings (hall/settings/storage.py) pointed at a fresh bucket on it. Nothing leaves the machine."""

import socket
import uuid
from types import SimpleNamespace

import pytest

from hall.settings.storage import media_storage

# Loopback ports tried for the server, then any free one.
PORTS = range(8830, 8850)
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "tongban-test", "AWS_SECRET_ACCESS_KEY": "tongban-test-secret"}


def _free_port() -> int:
    for port in [*PORTS, 0]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free loopback port")


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_storage(s3_server, settings, tmp_path, monkeypatch):
    """The default storage switched to a new private bucket (TONGBAN_STORAGE=s3 as in production);
    MEDIA_ROOT points at an empty folder that must stay empty. Returns the bucket, a boto3 client and
    the folder."""
    import boto3

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    bucket = f"tongban-{uuid.uuid4().hex[:12]}"
    environ = {
        "TONGBAN_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_S3_REGION_NAME": "cn-north-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        **CREDENTIALS,
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="cn-north-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": media_storage(environ)}
    yield SimpleNamespace(bucket=bucket, client=client, media_root=settings.MEDIA_ROOT, environ=environ)


def bucket_keys(s3) -> list[str]:
    pages = s3.client.get_paginator("list_objects_v2").paginate(Bucket=s3.bucket)
    return sorted(entry["Key"] for page in pages for entry in page.get("Contents", ()))


def files_under(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []
