"""The S3 storage of the portal's files (TONGBAN_STORAGE=s3, hall/settings/storage.py): django-storages'
S3Storage, except that it never makes a URL to the bucket.

Files are private and reach people only through the portal's own views, after the permission check of
the case, the guide or the archive. url() therefore gives the same /media/<name> path as the filesystem
storage, which nothing serves: no code path (the admin's file links included) can hand out a link to an
object, signed or not.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    def url(self, name, parameters=None, expire=None, http_method=None):
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name))
