"""The English catalogue (locale/en/LC_MESSAGES/django.po, where translators edit it) translates
every Chinese msgid of the code and templates: nothing untranslated, nothing fuzzy."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
MAKEMESSAGES = ["makemessages", "-l", "en", "--no-obsolete", "--add-location=file", "--ignore=node_modules/*"]


def _entries(po: Path, *flags: str) -> str:
    """The msgids of `po` that msgattrib selects with `flags` (empty when there are none)."""
    return subprocess.run(["msgattrib", *flags, str(po)], capture_output=True, text=True, check=True).stdout


def test_every_msgid_in_the_catalogue_is_translated():
    assert _entries(PO, "--untranslated") == ""
    assert _entries(PO, "--only-fuzzy") == ""


def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    shutil.copytree(LOCALE, tmp_path / "locale")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.messages_settings"}
    env["TONGBAN_MESSAGES_DIR"] = str(tmp_path / "locale")
    subprocess.run([sys.executable, "manage.py", *MAKEMESSAGES], cwd=ROOT, env=env, check=True, capture_output=True)
    fresh = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    missing = _entries(fresh, "--untranslated") + _entries(fresh, "--only-fuzzy")
    assert missing == "", f"strings without an English translation (run `make messages`, then translate):\n{missing}"
