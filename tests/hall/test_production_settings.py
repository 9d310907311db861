"""Production settings: static files through WhiteNoise, persistent checked connections, JSON log lines."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from hall.jsonlog import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent.parent


def test_production_settings_scale_out(tmp_path):
    keys = tmp_path / "keys.json"  # production refuses to start without personal-data keys
    keys.write_text(json.dumps({"current": "1", "keys": {"1": "00" * 16}, "index_key": "11" * 32}))
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'mw': s.MIDDLEWARE, 'static': s.STORAGES['staticfiles']['BACKEND'], "
        "'age': s.DATABASES['default']['CONN_MAX_AGE'], 'health': s.DATABASES['default']['CONN_HEALTH_CHECKS'], "
        "'fmt': s.LOGGING['handlers']['console'].get('formatter'), "
        "'celery_own_logging': s.CELERY_WORKER_HIJACK_ROOT_LOGGER}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hall.settings.production",
        "DJANGO_SECRET_KEY": "x" * 64,
        "TONGBAN_DATA_KEY_FILE": str(keys),
        "TONGBAN_DATA_KEYS": os.environ.get("TONGBAN_DATA_KEYS", ""),
    }
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["mw"].index("whitenoise.middleware.WhiteNoiseMiddleware") == 1
    assert found["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert found["age"] > 0 and found["health"] is True
    assert found["fmt"] == "json"
    assert found["celery_own_logging"] is False  # workers and beat log JSON lines too


def test_json_log_lines_carry_extra_fields():
    record = logging.LogRecord("tongban.test", logging.WARNING, __file__, 1, "办件 %s 超期", ("JC1",), None)
    record.case_id = 7
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "办件 JC1 超期" and line["level"] == "WARNING" and line["case_id"] == 7
