"""SM2 digital signatures (GB/T 32918.2-2016) for issued documents, on the `gmssl` implementation of the
curve arithmetic; the message digest (SM3 over Z_A ‖ M, GB/T 32918.2 §6.1) is computed here with
`cryptography`'s SM3 so that the signer's identity is bound as the standard says. Checked against the
standard's published examples in tests/hall/test_security_sm2.py.

Keys per issuing body (a department, or a hall when no department is known) live outside the database:
``<TONGBAN_SM2_KEY_DIR>/<issuer key>.json`` (default var/keys/sm2), made by ``manage.py sm2_keys``.
A key file keeps the retired public keys, so documents signed before a rotation still verify."""

from __future__ import annotations

import json
import secrets
from functools import lru_cache
from pathlib import Path

from gmssl import sm2 as _gm

from .crypto import keyring_write, sm3_hex

CURVE = dict(_gm.default_ecc_table)  # GB/T 32918.5-2017: the recommended 256-bit curve
DEFAULT_ID = b"1234567812345678"  # GM/T 0009-2012 §10: the default signer identity


class SignatureError(Exception):
    pass


def _n(table) -> int:
    return int(table["n"], 16)


def _signer(private_hex: str | None, public_hex: str, table) -> _gm.CryptSM2:
    signer = _gm.CryptSM2(private_key=private_hex, public_key=public_hex, ecc_table=table)
    # gmssl strips a leading "04" with str.lstrip, which also eats a coordinate's leading 0s and 4s:
    # set the 128-digit x ‖ y form ourselves.
    signer.public_key = public_hex[2:] if len(public_hex) == 130 else public_hex
    return signer


def public_key_of(private_hex: str, table=CURVE) -> str:
    """x ‖ y of d·G, 128 hex digits (the 04 prefix of the uncompressed form left off)."""
    signer = _gm.CryptSM2(private_key=private_hex, public_key="00", ecc_table=table)
    return signer._kg(int(private_hex, 16), table["g"])


def keypair_new(table=CURVE) -> tuple[str, str]:
    d = secrets.randbelow(_n(table) - 2) + 1  # 1 ≤ d ≤ n − 2 (GB/T 32918.1 §6.1)
    private_hex = f"{d:064x}"
    return private_hex, public_key_of(private_hex, table)


def z_digest(public_hex: str, uid: bytes = DEFAULT_ID, table=CURVE) -> bytes:
    """Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)."""
    xy = public_hex[2:] if len(public_hex) == 130 else public_hex
    entl = (len(uid) * 8).to_bytes(2, "big")
    data = entl + uid + bytes.fromhex(table["a"]) + bytes.fromhex(table["b"]) + bytes.fromhex(table["g"])
    return bytes.fromhex(sm3_hex(data + bytes.fromhex(xy)))


def message_digest(message: bytes, public_hex: str, uid: bytes = DEFAULT_ID, table=CURVE) -> bytes:
    """e = SM3(Z_A ‖ M)."""
    return bytes.fromhex(sm3_hex(z_digest(public_hex, uid, table) + message))


def sign(message: bytes, private_hex: str, public_hex: str, *, uid: bytes = DEFAULT_ID, table=CURVE, k_hex=None) -> str:
    """r ‖ s, 128 hex digits (GB/T 32918.2 §6.1). `k_hex` only for the standard's examples; otherwise a
    fresh random k. The point k·G comes from a table of the curve's 2^i·G (_base_x): about 2 ms, where
    gmssl's own signing took 10–13 ms, most of the cost of issuing a notice after its layout. verify()
    stays on gmssl, so every signature is checked by the other implementation."""
    e = int.from_bytes(message_digest(message, public_hex, uid, table), "big")
    n = _n(table)
    d = int(private_hex, 16)
    for _attempt in range(8):
        k = int(k_hex, 16) if k_hex else secrets.randbelow(n - 1) + 1
        r = (e + _base_x(k, table)) % n
        s = pow(1 + d, -1, n) * (k - r * d) % n
        if r != 0 and r + k != n and s != 0:
            return f"{r:064x}{s:064x}"
        if k_hex:
            break
    raise SignatureError("SM2 签名失败")


def _base_x(k: int, table) -> int:
    """x of k·G (0 < k < n): the sum of the precomputed 2^i·G for the bits of k, in Jacobian coordinates.
    Every 2^i·G is added, to the sum of the set bits or to a second sum of the clear ones, so that the
    work does not follow the secret k's length or weight (a nonce's length leaked by timing is enough,
    over many signatures, to recover the private key)."""
    p, a, powers = _base_powers(table["p"], table["a"], table["g"])
    sums = [None, None]  # [clear bits, set bits]
    for i, power in enumerate(powers):
        bit = k >> i & 1
        sums[bit] = _add_affine(sums[bit], power, p, a)
    x, _y, z = sums[1]
    return x * pow(z, -2, p) % p


@lru_cache(maxsize=4)
def _base_powers(p_hex: str, a_hex: str, g_hex: str) -> tuple[int, int, list]:
    """(p, a, [2^i·G in affine coordinates for i < 256]) of a curve, computed once per process."""
    p, a = int(p_hex, 16), int(a_hex, 16)
    half = len(g_hex) // 2
    x, y = int(g_hex[:half], 16), int(g_hex[half:], 16)
    powers = [(x, y)]
    for _i in range(1, 4 * half):
        slope = (3 * x * x + a) * pow(2 * y, -1, p) % p
        doubled = (slope * slope - 2 * x) % p
        x, y = doubled, (slope * (x - doubled) - y) % p
        powers.append((x, y))
    return p, a, powers


def _add_affine(point, affine, p: int, a: int):
    """Jacobian `point` (None: the point at infinity) + affine `affine`."""
    x2, y2 = affine
    if point is None:
        return x2, y2, 1
    x1, y1, z1 = point
    zz = z1 * z1 % p
    h = (x2 * zz - x1) % p
    r = (y2 * zz * z1 - y1) % p
    if h == 0:
        return _double(point, p, a) if r == 0 else None
    hh = h * h % p
    hhh = h * hh % p
    v = x1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    return x3, (r * (v - x3) - y1 * hhh) % p, z1 * h % p


def _double(point, p: int, a: int):
    x, y, z = point
    yy = y * y % p
    s = 4 * x * yy % p
    m = (3 * x * x + a * pow(z, 4, p)) % p
    x3 = (m * m - 2 * s) % p
    return x3, (m * (s - x3) - 8 * yy * yy) % p, 2 * y * z % p


def verify(message: bytes, signature_hex: str, public_hex: str, *, uid: bytes = DEFAULT_ID, table=CURVE) -> bool:
    try:
        r, s = int(signature_hex[:64], 16), int(signature_hex[64:128], 16)
    except (TypeError, ValueError):
        return False
    n = _n(table)
    if len(signature_hex) != 128 or not (1 <= r < n and 1 <= s < n):  # GB/T 32918.2 §7.1 B1, B2
        return False
    e = message_digest(message, public_hex, uid, table)
    try:
        return bool(_signer(None, public_hex, table).verify(signature_hex, e))
    except (ValueError, TypeError, IndexError):
        return False


# ---- keys per issuing body -----------------------------------------------------------------------------


def key_dir() -> Path:
    from django.conf import settings

    configured = getattr(settings, "TONGBAN_SM2_KEY_DIR", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "keys" / "sm2"


def _path(issuer_key: str) -> Path:
    if not issuer_key.replace("-", "").replace("_", "").isalnum():
        raise ValueError("bad issuer key")
    return key_dir() / f"{issuer_key}.json"


def issuer_key_load(issuer_key: str) -> dict | None:
    path = _path(issuer_key)
    if not path.exists():
        return None
    return json.loads(path.read_text())


def issuer_key_create(issuer_key: str, *, rotate: bool = False) -> dict:
    """Make the body's signing key (or, with rotate, a new one, keeping the old public key for checks)."""
    data = issuer_key_load(issuer_key)
    if data is not None and not rotate:
        return data
    private_hex, public_hex = keypair_new()
    version = (data["version"] + 1) if data else 1
    retired = dict(data.get("retired", {})) if data else {}
    if data:
        retired[str(data["version"])] = data["public"]
    data = {"issuer": issuer_key, "version": version, "private": private_hex, "public": public_hex, "retired": retired}
    keyring_write(_path(issuer_key), data, replace=rotate or issuer_key_load(issuer_key) is None)
    return issuer_key_load(issuer_key)


def signing_key(issuer_key: str) -> dict | None:
    """The body's key for signing; created on first use in development and tests only."""
    from django.conf import settings

    data = issuer_key_load(issuer_key)
    if data is None and getattr(settings, "TONGBAN_CRYPTO_DEV_KEYS", False):
        data = issuer_key_create(issuer_key)
    return data


def public_key_for(key_id: str) -> str | None:
    """The public key named `<issuer key>:<version>` (current or retired)."""
    issuer_key, _sep, version = key_id.rpartition(":")
    data = issuer_key_load(issuer_key) if issuer_key else None
    if data is None:
        return None
    if str(data["version"]) == version:
        return data["public"]
    return data.get("retired", {}).get(version)
