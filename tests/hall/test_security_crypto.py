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
