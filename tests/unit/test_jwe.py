"""Compact JWE ``ECDH-ES`` on P-256 (credentials.jwe): the spec's example, RFC 7518's key
agreement vector, an independent implementation (joserfc) both ways, and every refusal."""

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwe as joserfc_jwe
from joserfc.jwk import ECKey

from credentials.encoding import b64url_decode, b64url_encode, json_dumps
from credentials.errors import JWEInvalid
from credentials.jwe import (
    Encryption,
    _content_key,
    decrypt_compact,
    encrypt_compact,
    jwe_header,
    p256_public_key,
    public_jwk,
)


def _private(d: str) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(b64url_decode(d), "big"), ec.SECP256R1())


# OpenID4VP 1.0 §8.3 ("Encrypted Responses"), the non-normative example response and the private
# key given there to decrypt it (openid4vp-1_0.md of the shared specs folder).
SPEC_KEY_D = "Et-3ce0omz8_TuZ96Df9lp0GAaaDoUnDe6X-CRO7Aww"
SPEC_RESPONSE = (
    "eyJhbGciOiJFQ0RILUVTIiwiZW5jIjoiQTEyOEdDTSIsImtpZCI6ImFjIiwiZXBrIjp7Imt"
    "0eSI6IkVDIiwieCI6Im5ubVZwbTNWM2piaGNhZlFhUkJrU1ZOSGx3Wkh3dC05ck9wSnVmeVlJdWsiLCJ5I"
    "joicjRmakRxd0p5czlxVU9QLV9iM21SNVNaRy0tQ3dPMm1pYzVWU05UWU45ZyIsImNydiI6IlAtMjU2In1"
    "9..uAYcHRUSSn2X0WPX.yVzlGSYG4qbg0bq18JcUiDRw56yVnbKR8E7S7YlEtzT00RqE3Pw5oTpUG3hdLN"
    "4taHZ9gC1kwak8JOnJgQ.1wR024_3-qtAlx1oFIUpQQ"
)

# RFC 7518 Appendix C ("Example ECDH-ES Key Agreement Computation"): Alice's ephemeral private
# key, Bob's public key, apu "Alice", apv "Bob", enc A128GCM, and the derived key.
ALICE_D = "0_NxaRPUMQoAJt50Gz8YiTr8gRTwyEaCumd-MToTmIo"
BOB = {
    "kty": "EC",
    "crv": "P-256",
    "x": "weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ",
    "y": "e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck",
}
RFC_7518_DERIVED_KEY = "VqqN6vgjbSBcIijNcacQGg"


def test_decrypts_the_openid4vp_1_0_section_8_3_example() -> None:
    plaintext = decrypt_compact(
        SPEC_RESPONSE, key=_private(SPEC_KEY_D), kid="ac", encryptions=["A128GCM"]
    )
    assert json.loads(plaintext) == {"vp_token": {"example_credential_id": ["eyJhb...YMetA"]}}


def test_the_content_key_is_rfc_7518_appendix_c_concat_kdf() -> None:
    shared = _private(ALICE_D).exchange(ec.ECDH(), p256_public_key(BOB, "key"))
    derived = _content_key(shared, "A128GCM", b"Alice", b"Bob")
    assert b64url_encode(derived) == RFC_7518_DERIVED_KEY


@pytest.fixture
def recipient() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
def test_what_is_encrypted_decrypts_to_the_same_bytes(
    recipient: ec.EllipticCurvePrivateKey, enc: Any
) -> None:
    token = encrypt_compact(
        b'{"state":"s"}', recipient=public_jwk(recipient.public_key()), enc=enc, kid="k1"
    )
    assert jwe_header(token)["kid"] == "k1" and token.split(".")[1] == ""
    assert decrypt_compact(token, key=recipient, kid="k1", encryptions=[enc]) == b'{"state":"s"}'


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
def test_joserfc_decrypts_ours_and_we_decrypt_joserfcs(enc: Encryption) -> None:
    theirs = ECKey.generate_key("P-256")
    public = dict(theirs.as_dict(private=False))
    mine = encrypt_compact(b"hello", recipient=public, enc=enc, kid="j")
    assert joserfc_jwe.decrypt_compact(mine, theirs).plaintext == b"hello"
    key = _private(str(theirs.as_dict(private=True)["d"]))
    made = joserfc_jwe.encrypt_compact({"alg": "ECDH-ES", "enc": enc, "kid": "j"}, b"hi", theirs)
    assert decrypt_compact(made, key=key, kid="j", encryptions=[enc]) == b"hi"


def _token(recipient: ec.EllipticCurvePrivateKey, **header: Any) -> list[str]:
    token = encrypt_compact(
        b"{}", recipient=public_jwk(recipient.public_key()), enc="A128GCM", kid="k"
    )
    parts = token.split(".")
    if header:
        merged = {**jwe_header(token), **header}
        parts[0] = b64url_encode(
            json_dumps({k: v for k, v in merged.items() if v is not None}).encode()
        )
    return parts


def _refused(recipient: ec.EllipticCurvePrivateKey, parts: list[str], match: str) -> None:
    with pytest.raises(JWEInvalid, match=match):
        decrypt_compact(".".join(parts), key=recipient, kid="k", encryptions=["A128GCM"])


def _flip(text: str) -> str:
    data = bytearray(b64url_decode(text))
    data[0] ^= 1
    return b64url_encode(bytes(data))


@pytest.mark.parametrize("part", [2, 3, 4])
def test_rejects_an_altered_iv_ciphertext_or_tag(
    recipient: ec.EllipticCurvePrivateKey, part: int
) -> None:
    parts = _token(recipient)
    parts[part] = _flip(parts[part])
    _refused(recipient, parts, "does not decrypt")


def test_rejects_an_altered_protected_header(recipient: ec.EllipticCurvePrivateKey) -> None:
    _refused(recipient, _token(recipient, apv=b64url_encode(b"other")), "does not decrypt")


def test_rejects_a_response_made_for_another_key(recipient: ec.EllipticCurvePrivateKey) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    _refused(recipient, _token(other), "does not decrypt")


@pytest.mark.parametrize("alg", ["dir", "ECDH-ES+A128KW", "RSA-OAEP-256", "none", None])
def test_rejects_an_alg_other_than_ecdh_es(
    recipient: ec.EllipticCurvePrivateKey, alg: str | None
) -> None:
    _refused(recipient, _token(recipient, alg=alg), "alg is not ECDH-ES")


@pytest.mark.parametrize("enc", ["A256GCM", "A128CBC-HS256", None])
def test_rejects_an_enc_not_accepted(
    recipient: ec.EllipticCurvePrivateKey, enc: str | None
) -> None:
    _refused(recipient, _token(recipient, enc=enc), "enc is not an accepted")


@pytest.mark.parametrize("extra", [{"zip": "DEF"}, {"crit": ["exp"], "exp": 1}])
def test_rejects_compression_and_critical_extensions(
    recipient: ec.EllipticCurvePrivateKey, extra: dict[str, Any]
) -> None:
    _refused(recipient, _token(recipient, **extra), "compression or critical")


def test_rejects_a_header_naming_another_kid(recipient: ec.EllipticCurvePrivateKey) -> None:
    _refused(recipient, _token(recipient, kid="other"), "for another key")


def test_rejects_a_non_empty_encrypted_key(recipient: ec.EllipticCurvePrivateKey) -> None:
    parts = _token(recipient)
    parts[1] = b64url_encode(b"0123456789abcdef")
    _refused(recipient, parts, "empty encrypted key")


def test_rejects_an_ephemeral_key_off_the_curve_or_on_another_curve(
    recipient: ec.EllipticCurvePrivateKey,
) -> None:
    epk = dict(jwe_header(".".join(_token(recipient)))["epk"])
    off = {**epk, "y": b64url_encode(bytes(31) + b"\x01")}
    _refused(recipient, _token(recipient, epk=off), "not a point on P-256")
    p384 = public_jwk(ec.generate_private_key(ec.SECP256R1()).public_key()) | {"crv": "P-384"}
    _refused(recipient, _token(recipient, epk=p384), "not a P-256 EC key")
    _refused(recipient, _token(recipient, epk={**epk, "d": "AA"}), "private member")


@pytest.mark.parametrize("token", ["", "a.b.c", "a.b.c.d.e.f", "!!.x.y.z.w", "e30.x.y.z.w" * 3])
def test_rejects_what_is_no_compact_jwe(recipient: ec.EllipticCurvePrivateKey, token: str) -> None:
    with pytest.raises(JWEInvalid):
        decrypt_compact(token, key=recipient, kid="k", encryptions=["A128GCM"])


def test_rejects_a_recipient_that_is_no_public_p256_key() -> None:
    with pytest.raises(JWEInvalid):
        encrypt_compact(
            b"x", recipient={"kty": "OKP", "crv": "X25519", "x": "AA"}, enc="A128GCM", kid=None
        )


def test_a_handed_ephemeral_key_and_iv_make_the_message_and_its_key_known_in_advance() -> None:
    # RFC 7518 Appendix C's parties: Alice's ephemeral key encrypting to Bob with apu/apv.
    bob = ec.derive_private_key(
        int.from_bytes(b64url_decode("VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw"), "big"),
        ec.SECP256R1(),
    )
    assert public_jwk(bob.public_key()) == BOB
    iv = bytes(range(12))
    made = [
        encrypt_compact(
            b"hello",
            recipient=BOB,
            enc="A128GCM",
            kid=None,
            apu=b"Alice",
            apv=b"Bob",
            ephemeral=_private(ALICE_D),
            iv=iv,
        )
        for _ in range(2)
    ]
    assert made[0] == made[1]
    assert b64url_decode(made[0].split(".")[2]) == iv
    assert jwe_header(made[0])["epk"] == public_jwk(_private(ALICE_D).public_key())
    assert decrypt_compact(made[0], key=bob, kid="any", encryptions=["A128GCM"]) == b"hello"
    with pytest.raises(TypeError):
        encrypt_compact(b"x", recipient=BOB, enc="A128GCM", kid=None, iv=b"short")
