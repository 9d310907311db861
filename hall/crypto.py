"""Commercial cryptography (国密) for personal data at rest: SM4 encryption and the SM3-HMAC blind index.

GB/T 39786-2021 and 等保 2.0 (GB/T 22239-2019 8.1.4.8) ask that important personal data be stored
encrypted with a key the database never holds. Here:

- `encrypt(text)` / `decrypt(token)`: SM4 in GCM mode (authenticated: a changed byte is refused, never
  decrypted to garbage). A token reads ``sm4g$<key id>$<base64(nonce | ciphertext | tag)>`` so that
  several keys can be in use during a rotation.
- `blind_index(value)`: a keyed SM3-HMAC of a normalised identifier, stored beside the ciphertext so that
  exact look-ups (login by ID number, uniqueness, the clerk's search) work without decrypting every row.
- The keys come from the environment (``TONGBAN_DATA_KEYS``, JSON) or a key file
  (``TONGBAN_DATA_KEY_FILE``, default var/keys/data-keys.json). Development and tests create that
  file on first use (``TONGBAN_CRYPTO_DEV_KEYS``); production refuses to start without a key.
  ``manage.py crypto_rotate_key`` adds a new key, makes it current and re-encrypts every value.
"""

from __future__ import annotations

import base64
import binascii
import hmac as std_hmac
import json
import os
import secrets
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TOKEN_PREFIX = "sm4g"
NONCE_BYTES = 12
TAG_BYTES = 16
SM4_KEY_BYTES = 16
INDEX_KEY_BYTES = 32
# Bound to every ciphertext as associated data: a token made by another system with the same key fails.
ASSOCIATED_DATA = b"tongban personal data v1"


class KeyConfigurationError(Exception):
    """The data keys are missing or malformed: the portal must not start (it would store data in clear
    or fail to read it)."""


class DecryptionError(ValueError):
    """A stored value that cannot be decrypted: tampered, truncated, or made with a key we do not hold."""


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, bytes]
    index_key: bytes
    source: str  # "env" or the key file's path, for messages

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise DecryptionError(f"数据密钥 {key_id} 不在当前密钥环中，无法解密。") from None


_lock = threading.Lock()
_cached: KeyRing | None = None


def _settings():
    from django.conf import settings

    return settings


def key_file_path() -> Path:
    settings = _settings()
    configured = getattr(settings, "TONGBAN_DATA_KEY_FILE", "")
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "keys" / "data-keys.json"


def _hex(value, what: str, length: int, source: str) -> bytes:
    try:
        raw = bytes.fromhex(str(value))
    except (ValueError, TypeError):
        raise KeyConfigurationError(f"{source}: {what} 不是十六进制字符串。") from None
    if len(raw) != length:
        raise KeyConfigurationError(
            f"{source}: {what} 应为 {length} 字节（{length * 2} 位十六进制），实为 {len(raw)} 字节。"
        )
    return raw


def keyring_parse(data: dict, source: str) -> KeyRing:
    if not isinstance(data, dict) or "keys" not in data or "current" not in data or "index_key" not in data:
        raise KeyConfigurationError(f"{source}: 密钥配置应包含 current、keys、index_key 三项。")
    keys = {str(k): _hex(v, f"SM4 密钥 {k}", SM4_KEY_BYTES, source) for k, v in dict(data["keys"]).items()}
    current = str(data["current"])
    if current not in keys:
        raise KeyConfigurationError(f"{source}: 当前密钥 {current} 不在 keys 中。")
    index_key = _hex(data["index_key"], "盲索引密钥 index_key", INDEX_KEY_BYTES, source)
    return KeyRing(current=current, keys=keys, index_key=index_key, source=source)


def keyring_new_material() -> dict:
    return {
        "current": "k1",
        "keys": {"k1": secrets.token_hex(SM4_KEY_BYTES)},
        "index_key": secrets.token_hex(INDEX_KEY_BYTES),
    }


def keyring_write(path: Path, data: dict, *, replace: bool = True) -> None:
    """Write the key file readable by its owner only (0600), atomically. With replace=False an existing
    file wins (several processes starting at once must end up with one key, not one each)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
    if replace:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def keyring_load() -> KeyRing:
    """Read the keys: environment first, then the key file; in development create the file."""
    settings = _settings()
    env = os.environ.get("TONGBAN_DATA_KEYS", "").strip()
    if env:
        try:
            data = json.loads(env)
        except json.JSONDecodeError:
            raise KeyConfigurationError("环境变量 TONGBAN_DATA_KEYS 不是合法的 JSON。") from None
        return keyring_parse(data, "TONGBAN_DATA_KEYS")
    path = key_file_path()
    if not path.exists():
        if not getattr(settings, "TONGBAN_CRYPTO_DEV_KEYS", False):
            raise KeyConfigurationError(
                f"没有个人信息加密密钥：请设置环境变量 TONGBAN_DATA_KEYS，或提供密钥文件 {path}"
                "（TONGBAN_DATA_KEY_FILE；可在安全环境中用 manage.py crypto_rotate_key --init 生成）。"
                "缺少密钥时门户拒绝启动，不会以明文保存个人信息。"
            )
        keyring_write(path, keyring_new_material(), replace=False)
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise KeyConfigurationError(f"密钥文件 {path} 无法读取：{exc}") from None
    return keyring_parse(data, str(path))


def keyring() -> KeyRing:
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                _cached = keyring_load()
    return _cached


def keyring_reset() -> None:
    """Forget the cached keys (after a rotation, and in tests)."""
    global _cached
    with _lock:
        _cached = None


# ---- SM4 -------------------------------------------------------------------------------------------


def is_token(value) -> bool:
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX + "$")


def encrypt(text: str, *, key_id: str | None = None) -> str:
    ring = keyring()
    key_id = key_id or ring.current
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(ring.key(key_id)), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(ASSOCIATED_DATA)
    body = encryptor.update(text.encode("utf-8")) + encryptor.finalize()
    blob = base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode("ascii")
    return f"{TOKEN_PREFIX}${key_id}${blob}"


def token_key_id(token: str) -> str:
    parts = token.split("$")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise DecryptionError("密文格式不正确。")
    return parts[1]


def decrypt(token: str) -> str:
    key_id = token_key_id(token)
    try:
        raw = base64.urlsafe_b64decode(token.split("$")[2].encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise DecryptionError("密文不是合法的 base64 编码。") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("密文过短，已被截断。")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(keyring().key(key_id)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(ASSOCIATED_DATA)
    try:
        plain = decryptor.update(body) + decryptor.finalize()
    except InvalidTag:
        raise DecryptionError("密文校验失败：数据被篡改，或密钥不正确。") from None
    return plain.decode("utf-8")


# ---- SM3 -------------------------------------------------------------------------------------------


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def identifier_canonical(value) -> str:
    """The form an identifier is indexed in: NFKC, no whitespace, upper case (as
    hall.validators.normalise_identifier, so that a value typed either way finds the same row)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc"))).upper()


def blind_index(value) -> str:
    """Keyed SM3-HMAC of an identifier (ID number, mobile), hex. Empty for an empty value, so that
    "no ID number" stays recognisable and out of uniqueness constraints."""
    canonical = identifier_canonical(value)
    if not canonical:
        return ""
    return hmac_sm3(keyring().index_key, canonical.encode("utf-8")).hex()


def constant_time_equal(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())


# ---- start-up -----------------------------------------------------------------------------------------


def startup_check() -> None:
    """Refuse to start on missing or malformed keys, and on keys that cannot read the stored data
    (a wrong key): one stored ciphertext is decrypted. Raises django ImproperlyConfigured."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    try:
        keyring()
    except KeyConfigurationError as exc:
        raise ImproperlyConfigured(str(exc)) from None
    from django.contrib.auth import get_user_model

    try:
        sample = get_user_model().objects.exclude(id_number="").values_list("id_number", flat=True).order_by("pk")[:1]
        list(sample)  # from_db_value decrypts
    except DatabaseError:
        return  # before migrate: nothing stored yet
    except DecryptionError as exc:
        raise ImproperlyConfigured(
            f"个人信息加密密钥与数据库中的密文不符（{exc}）：请检查 TONGBAN_DATA_KEYS 或密钥文件，门户拒绝启动。"
        ) from None
