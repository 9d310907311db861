"""Where uploaded materials, issued documents, guide files and archive packages are kept
(docs/deploy.md "Files"), chosen by TONGBAN_STORAGE:

- `filesystem` (the default): under MEDIA_ROOT, a directory that every web and worker machine mounts;
- `s3`: in a bucket of S3-compatible storage (django-storages), named by AWS_STORAGE_BUCKET_NAME with
  AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_S3_REGION_NAME.

Either way every file is private: the code reads and writes through Django's storage API only, and the
portal serves each file through its own views after a permission check, never by a storage URL (the
S3 storage makes none: hall/storage.py). Objects are uploaded without an ACL (the bucket's own, which
must stay private).
"""

import os

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"
S3_BACKEND = "hall.storage.PrivateS3Storage"  # never a URL to the bucket

__all__ = ["STORAGES", "TONGBAN_STORAGE"]


def media_storage(environ) -> dict:
    """The STORAGES["default"] entry that `environ` (os.environ or a dict like it) asks for."""
    kind = (environ.get("TONGBAN_STORAGE") or "filesystem").strip().lower()
    if kind == "filesystem":
        return {"BACKEND": FILESYSTEM_BACKEND}
    if kind != "s3":
        raise ImproperlyConfigured(f"TONGBAN_STORAGE must be 'filesystem' or 's3', not {kind!r}.")
    bucket = (environ.get("AWS_STORAGE_BUCKET_NAME") or "").strip()
    if not bucket:
        raise ImproperlyConfigured("TONGBAN_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (and the endpoint and keys).")
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            # Empty means the provider's default (AWS itself; boto3's own credential chain for the keys).
            "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # A key prefix inside the bucket, e.g. "tongban" when the bucket is shared.
            "location": (environ.get("AWS_LOCATION") or "").strip("/"),
            # "path" for most self-hosted S3-compatible servers; empty lets boto3 choose.
            "addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            "default_acl": None,
            # url() makes no link to the bucket (hall/storage.py); django-storages' own would be signed and short.
            "querystring_auth": True,
            "querystring_expire": 60,
            # Never overwrite: a second file of the same name gets a name of its own, as on a filesystem
            # (a failing service deletes the files it wrote, never another case's).
            "file_overwrite": False,
            # Files read back (a download, a hash check) are held in memory up to this size, then on disk.
            "max_memory_size": 16 * 1024 * 1024,
            "gzip": False,  # stored bytes are the issued bytes: their SHA-256 is on record
        },
    }


TONGBAN_STORAGE = (os.environ.get("TONGBAN_STORAGE") or "filesystem").strip().lower()
STORAGES = {
    "default": media_storage(os.environ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
