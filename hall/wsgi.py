import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")
application = get_wsgi_application()

# A key that cannot read the stored personal data (a wrong key) stops the portal here, before it serves.
from hall.crypto import startup_check  # noqa: E402

startup_check()
