"""SM4 personal data encryption and the SM3-HMAC blind index (hall/crypto.py, hall/fields.py)."""

import json

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured

from hall import crypto


@pytest.fixture
def own_keys(tmp_path, settings, monkeypatch):
    """A key file of the test's own, so that rotation does not touch the development keys."""
    monkeypatch.delenv("TONGBAN_DATA_KEYS", raising=False)
    settings.TONGBAN_DATA_KEY_FILE = str(tmp_path / "keys" / "data-keys.json")
    crypto.keyring_reset()
    yield tmp_path / "keys" / "data-keys.json"
    crypto.keyring_reset()


def test_sm3_matches_the_standard_example():
    # GB/T 32905-2016 Annex A.1: SM3("abc")
    assert crypto.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm4_matches_the_standard_example():
    # GB/T 32907-2016 Annex A.1: one block, key = plaintext = 0123456789abcdeffedcba9876543210
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_round_trip_and_fresh_nonce():
    first, second = crypto.encrypt("440102199001011234"), crypto.encrypt("440102199001011234")
    assert first != second
    assert "440102199001011234" not in first
    assert crypto.decrypt(first) == crypto.decrypt(second) == "440102199001011234"


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt("13800138000")
    prefix, key_id, blob = token.split("$")
    raw = bytearray(__import__("base64").urlsafe_b64decode(blob))
    raw[14] ^= 0x01
    tampered = f"{prefix}${key_id}${__import__('base64').urlsafe_b64encode(bytes(raw)).decode()}"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token[:-8])
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token.replace("$k1$", "$k99$", 1) if "$k1$" in token else "sm4g$k99$" + blob)


def test_blind_index_is_keyed_and_normalised():
    assert crypto.blind_index("44010219900101123x") == crypto.blind_index(" ４４010219900101123X")
    assert crypto.blind_index("") == ""
    assert len(crypto.blind_index("13800138000")) == 64
    assert crypto.blind_index("13800138000") != crypto.sm3_hex(b"13800138000")


def test_missing_key_refuses_to_start(own_keys, settings):
    settings.TONGBAN_CRYPTO_DEV_KEYS = False
    with pytest.raises(crypto.KeyConfigurationError, match="拒绝启动"):
        crypto.keyring()
    from django.apps import apps

    with pytest.raises(ImproperlyConfigured, match="没有个人信息加密密钥"):
        apps.get_app_config("hall").ready()


def test_malformed_key_is_refused(own_keys, monkeypatch):
    monkeypatch.setenv("TONGBAN_DATA_KEYS", json.dumps({"current": "k1", "keys": {"k1": "abcd"}, "index_key": "00"}))
    with pytest.raises(crypto.KeyConfigurationError, match="16 字节"):
        crypto.keyring()


def test_dev_key_file_is_created_private(own_keys):
    crypto.keyring()
    assert own_keys.exists()
    assert oct(own_keys.stat().st_mode & 0o777) == "0o600"


def test_filter_on_encrypted_column_is_refused(db):
    from hall.models import User

    assert User.objects.filter(id_number="").count() >= 0
    with pytest.raises(FieldError, match="盲索引"):
        list(User.objects.filter(id_number="440102199001011234"))


@pytest.mark.django_db
def test_raw_tables_hold_no_identifier_in_clear(cast):
    """Read the tables as a database administrator would: no ID number, mobile, address or agent's ID
    number in clear; the application reads them back."""
    from django.db import connection

    from cases.models import Case
    from hall.selectors import user_by_id_number, user_by_mobile
    from tests.items.factories import ItemVersionFactory

    citizen = cast.citizen
    version = ItemVersionFactory()
    case = Case.objects.create(
        applicant=citizen,
        applicant_name=citizen.real_name,
        item_version=version,
        receiving_hall=cast.halls["JC"],
        agent_id_number="44170219800101002X",
        delivery_address="阳江市江城区东风一路88号",
        delivery_mobile="13712345678",
        form_data={"agent": {"id_number": "44170219800101002X"}, "contact_mobile": "13712345678"},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, mobile, id_number_index FROM hall_user WHERE id = %s", [citizen.pk])
        raw_id, raw_mobile, raw_index = cursor.fetchone()
        cursor.execute(
            "SELECT agent_id_number, delivery_address, delivery_mobile, form_data FROM cases_case WHERE id = %s",
            [case.pk],
        )
        raw_case = " ".join(str(v) for v in cursor.fetchone())
    assert citizen.id_number and citizen.id_number not in raw_id and raw_id.startswith("sm4g$")
    assert citizen.mobile not in raw_mobile and raw_mobile.startswith("sm4g$")
    assert raw_index == crypto.blind_index(citizen.id_number)
    for clear in ("44170219800101002X", "东风一路", "13712345678"):
        assert clear not in raw_case
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.agent_id_number == "44170219800101002X" and fresh.form_data["contact_mobile"] == "13712345678"
    assert fresh.agent_id_number_index == crypto.blind_index("44170219800101002X")
    assert user_by_id_number(citizen.id_number.lower()) == citizen
    assert user_by_mobile(citizen.mobile) == citizen


@pytest.mark.django_db
def test_raw_certificate_table_holds_no_id_number_in_clear(cast):
    """The e-certificate library, read raw: the holder's ID number only as an SM4 token and its blind
    index; 我的证照, certificate reuse at application and supersession still find the holder's certificates
    through the index (typed in lower case too); the data step of delivery 0006 encrypts rows stored in clear."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    from cases.registry import certificate_lookup
    from delivery.constants import CertificateState
    from delivery.models import Certificate
    from delivery.selectors import certificates_for_user
    from tests.delivery.helpers import granted_case, produced

    citizen = cast.citizen
    case = granted_case(cast)
    produced(cast, case, scope="小吃店经营")
    certificate = Certificate.objects.get(case=case)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM delivery_certificate WHERE id = %s", [certificate.pk])
        raw_row = " ".join(str(v) for v in cursor.fetchone())
        cursor.execute(
            "SELECT holder_code, holder_code_index FROM delivery_certificate WHERE id = %s", [certificate.pk]
        )
        raw_code, raw_index = cursor.fetchone()
    assert citizen.id_number and citizen.id_number not in raw_row and citizen.id_number.lower() not in raw_row
    assert crypto.is_token(raw_code) and raw_index == crypto.blind_index(citizen.id_number)
    assert Certificate.objects.get(pk=certificate.pk).holder_code == citizen.id_number
    assert list(certificates_for_user(citizen)) == [certificate]
    material = SimpleNamespace(name=certificate.type_name)
    assert certificate_lookup(citizen.id_number.lower(), material).number == certificate.number
    assert certificate_lookup("440102199001011234", material) is None  # another holder
    with pytest.raises(FieldError, match="盲索引"):
        list(Certificate.objects.filter(holder_code=citizen.id_number))
    second = granted_case(cast, case.item_version)  # the same holder's next licence of the kind replaces it
    produced(cast, second)
    certificate.refresh_from_db()
    assert certificate.state == CertificateState.SUPERSEDED

    with connection.cursor() as cursor:  # a row written before encryption
        cursor.execute(
            "UPDATE delivery_certificate SET holder_code = %s, holder_code_index = '' WHERE id = %s",
            [citizen.id_number, certificate.pk],
        )
    migration = importlib.import_module("delivery.migrations.0006_certificate_holder_encrypted")
    migration.encrypt_existing(None, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT holder_code, holder_code_index FROM delivery_certificate WHERE id = %s", [certificate.pk]
        )
        raw_code, raw_index = cursor.fetchone()
    assert crypto.is_token(raw_code) and raw_index == crypto.blind_index(citizen.id_number)
    assert set(certificates_for_user(citizen)) == {certificate, Certificate.objects.get(case=second)}


@pytest.mark.django_db
def test_tampered_row_is_refused_not_shown(cast):
    from django.db import connection

    from hall.models import User

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM hall_user WHERE id = %s", [cast.citizen.pk])
        token = cursor.fetchone()[0]
        tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
        cursor.execute("UPDATE hall_user SET id_number = %s WHERE id = %s", [tampered, cast.citizen.pk])
    with pytest.raises(crypto.DecryptionError):
        User.objects.get(pk=cast.citizen.pk)


@pytest.mark.django_db
def test_identifier_stays_unique_through_the_index(cast):
    from django.db import IntegrityError, transaction

    from hall.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="dup", id_number=cast.citizen.id_number)


@pytest.mark.django_db
def test_rotation_re_encrypts_every_value(own_keys, cast):
    from django.core.management import call_command
    from django.db import connection

    from hall.models import User

    # The citizen's row was written with the development key: re-encrypt it under the test's own keys.
    crypto.keyring_reset()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE hall_user SET id_number = %s WHERE id = %s", [crypto.encrypt("44170219800101002X"), cast.citizen.pk]
        )
    call_command("crypto_rotate_key", "--reencrypt", stdout=__import__("io").StringIO())
    call_command("crypto_rotate_key", stdout=__import__("io").StringIO())
    assert crypto.keyring().current == "k2"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM hall_user WHERE id = %s", [cast.citizen.pk])
        assert cursor.fetchone()[0].startswith("sm4g$k2$")
    assert User.objects.get(pk=cast.citizen.pk).id_number == "44170219800101002X"
    call_command("crypto_rotate_key", "--reencrypt", "--retire", stdout=__import__("io").StringIO())
    assert set(json.loads(own_keys.read_text())["keys"]) == {"k2"}


def test_production_refuses_to_start_without_data_keys(tmp_path):
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TONGBAN_DATA_KEY"))}
    env.update(
        {
            "DJANGO_SECRET_KEY": "k7#QpZ2!vX9mL4@wR8tY1&nB6^cF3*hJ5%dG0(sA)eU-iO=pK+lM~zN" * 2,
            "DJANGO_ALLOWED_HOSTS": "tongban.example",
            "TONGBAN_DATA_KEY_FILE": str(tmp_path / "absent.json"),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--settings", "hall.settings.production"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "没有个人信息加密密钥" in result.stderr and "拒绝启动" in result.stderr
    assert not (tmp_path / "absent.json").exists()  # never created in production


@pytest.mark.django_db
def test_data_migration_encrypts_rows_stored_in_clear(cast):
    """Rows written before encryption (clear text in the columns) are encrypted by the data steps of
    hall 0006 and cases 0011, and found again through their blind indexes."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    from hall.models import User
    from hall.selectors import user_by_id_number

    citizen = cast.citizen
    clear_id, clear_mobile = citizen.id_number, citizen.mobile
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE hall_user SET id_number = %s, mobile = %s, id_number_index = '', mobile_index = '' WHERE id = %s",
            [clear_id, clear_mobile, citizen.pk],
        )
    users = importlib.import_module("hall.migrations.0006_user_identifiers_encrypted")
    users.encrypt_existing(None, SimpleNamespace(connection=connection))  # what the migration gets
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, mobile FROM hall_user WHERE id = %s", [citizen.pk])
        raw_id, raw_mobile = cursor.fetchone()
    assert crypto.is_token(raw_id) and crypto.is_token(raw_mobile)
    assert User.objects.get(pk=citizen.pk).id_number == clear_id
    assert user_by_id_number(clear_id) == citizen


@pytest.mark.django_db
def test_wrong_key_refuses_to_start(cast, own_keys):
    """A key file that cannot read the stored data (a wrong key): startup_check refuses with a message."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import connection

    with connection.cursor() as cursor:  # a row written with another key of the same name
        other = "sm4g$k1$" + __import__("base64").urlsafe_b64encode(b"\0" * 40).decode()
        cursor.execute("UPDATE hall_user SET id_number = %s WHERE id = %s", [other, cast.citizen.pk])
        cursor.execute("UPDATE hall_user SET id_number = '' WHERE id <> %s", [cast.citizen.pk])
    with pytest.raises(ImproperlyConfigured, match="拒绝启动"):
        crypto.startup_check()


@pytest.mark.django_db
def test_audit_trail_changes_are_encrypted(cast):
    from django.db import connection

    from cases import services
    from tests.cases.helpers import draft_case

    case = draft_case(cast)
    services.case_update_draft(
        case=case, actor=cast.citizen, form_data={"contact_mobile": "13798765432", "address": "江城区南恩路1号"}
    )
    event = case.events.order_by("-pk").first()
    assert event.changes["after"]["contact_mobile"] == "13798765432"
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes FROM cases_caseevent WHERE id = %s", [event.pk])
        raw = str(cursor.fetchone()[0])
    assert "13798765432" not in raw and "南恩路" not in raw


@pytest.mark.django_db
def test_citizen_login_name_is_not_the_mobile(client, cast):
    from django.db import connection
    from django.urls import reverse

    citizen = cast.citizen
    assert citizen.username != citizen.mobile and citizen.username.startswith("u")
    with connection.cursor() as cursor:
        cursor.execute("SELECT username FROM hall_user WHERE id = %s", [citizen.pk])
        assert citizen.mobile not in cursor.fetchone()[0]
    response = client.post(reverse("login"), {"username": citizen.mobile, "password": cast.password})
    assert response.status_code == 302


@pytest.mark.django_db
def test_notice_addresses_are_encrypted(cast):
    from django.db import connection

    from hall.notices import notice_queue

    notice = notice_queue(recipient=cast.citizen, kind="test", subject="s", body="b")
    delivery = notice.deliveries.exclude(address="").first()
    assert delivery.address == cast.citizen.mobile
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM hall_noticedelivery WHERE id = %s", [delivery.pk])
        assert cast.citizen.mobile not in cursor.fetchone()[0]
