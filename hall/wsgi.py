import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hall.settings")
application = get_wsgi_application()

# A key that cannot read the stored personal data (a wrong key) stops the portal here, before it serves.
from hall.crypto import startup_check  # noqa: E402

startup_check()

# Load the broker client and the task registry now, not during the first request that hands a notice
# to the broker (on a busy machine that first import costs more than the hand-over's 0.1 s budget).
from hall.notices import enqueue_warm_up  # noqa: E402

enqueue_warm_up()
