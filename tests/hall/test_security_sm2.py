"""SM2 signatures checked against the standard's published examples."""

from hall import sm2

# GB/T 32918.2-2016 (GM/T 0003.2-2012) Annex A.2: the example 256-bit prime-field curve.
EXAMPLE_CURVE = {
    "p": "8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3",
    "a": "787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498",
    "b": "63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A",
    "g": "421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D"
    "0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2",
    "n": "8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7",
}
ALICE = b"ALICE123@YAHOO.COM"
MESSAGE = b"message digest"


def test_annex_a_example_public_key_digest_and_signature():
    d = "128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263"
    public = sm2.public_key_of(d, EXAMPLE_CURVE)
    assert public.upper() == (
        "0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A"
        "7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857"
    )
    assert sm2.z_digest(public, ALICE, EXAMPLE_CURVE).hex().upper() == (
        "F4A38489E32B45B6F876E3AC2168CA392362DC8F23459C1D1146FC3DBFB7BC9A"
    )
    k = "6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F"
    signature = sm2.sign(MESSAGE, d, public, uid=ALICE, table=EXAMPLE_CURVE, k_hex=k)
    assert signature.upper() == (
        "40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1"
        "6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7"
    )
    assert sm2.verify(MESSAGE, signature, public, uid=ALICE, table=EXAMPLE_CURVE)


def test_recommended_curve_example_verifies():
    # GB/T 32918.5-2017 / GM/T 0003.5-2012 Annex A: the recommended curve, default identity.
    d = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
    public = sm2.public_key_of(d)
    signature = (
        "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
        "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
    )
    assert sm2.verify(MESSAGE, signature.lower(), public)
    assert not sm2.verify(b"message digesT", signature.lower(), public)


def test_fresh_keys_sign_and_refuse_tampering():
    private, public = sm2.keypair_new()
    signature = sm2.sign(b"%PDF-1.7 notice", private, public)
    assert sm2.verify(b"%PDF-1.7 notice", signature, public)
    assert not sm2.verify(b"%PDF-1.7 notica", signature, public)
    flipped = signature[:10] + ("0" if signature[10] != "0" else "1") + signature[11:]
    assert not sm2.verify(b"%PDF-1.7 notice", flipped, public)
    assert not sm2.verify(b"%PDF-1.7 notice", "00" * 64, public)
    assert not sm2.verify(b"%PDF-1.7 notice", "zz", public)
    other_private, other_public = sm2.keypair_new()
    assert not sm2.verify(b"%PDF-1.7 notice", signature, other_public)


def test_signing_point_agrees_with_gmssl():
    # sign() takes k·G from its own table of 2^i·G; gmssl's scalar multiplication must give the same x.
    import secrets

    from gmssl import sm2 as gm

    for table in (sm2.CURVE, EXAMPLE_CURVE):
        n = int(table["n"], 16)
        other = gm.CryptSM2(private_key="01", public_key="00", ecc_table=table)
        for k in [1, 2, 3, n - 2, n - 1, 2**255 % n] + [secrets.randbelow(n - 1) + 1 for _ in range(5)]:
            assert sm2._base_x(k, table) == int(other._kg(k, table["g"])[:64], 16)
