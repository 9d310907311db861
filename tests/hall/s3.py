"""A local S3-compatible server for tests: moto's server mode on a loopback port, and the portal's own
storage settings (hall/settings/storage.py) pointed at a fresh bucket on it. Nothing leaves the machine."""

import os
import threading
import uuid
from types import SimpleNamespace

import pytest

from hall.settings.storage import media_storage

# Loopback ports tried for the server: each pytest-xdist worker starts at a port of its own.
PORTS = range(8830, 8850)
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "tongban-test", "AWS_SECRET_ACCESS_KEY": "tongban-test-secret"}


def _moto_server():
    """moto's S3 (and the rest of its backends) on the first free port from this worker's own one on;
    bound here, so that a port in use is skipped at once."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    first = int(worker) % len(PORTS) if worker.isdigit() else 0
    app = DomainDispatcherApplication(create_backend_app)
    for port in [*PORTS[first:], *PORTS[:first]]:
        try:
            return make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
        except OSError:
            continue
    raise RuntimeError(f"no free loopback port in {PORTS.start}-{PORTS.stop - 1} for the S3 test server")


@pytest.fixture(scope="session")
def s3_server():
    server = _moto_server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


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
