"""The wallet authenticates a verifier's Request Object before showing anything (OpenID4VP 1.0
§5, §5.9.3, §5.10.1): certificate chain, signature, client identifier prefix, parameters."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from credentials.jwe import decrypt_compact, jwe_header, public_jwk
from credentials.jws import sign_compact
from credentials.keys import private_key_from_pem
from credentials.x509 import certificate_hash, x5c_header
from wallet.errors import OutsideRequestInvalid
from wallet.outside_requests import (
    AuthorizationLink,
    OutsideRequest,
    ResponseEncryption,
    authenticate_request_object,
    parse_link,
    response_fields,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
QUERY = {
    "credentials": [
        {
            "id": "q1",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://taito.test/types/qualification/v1"]},
            "claims": [{"path": ["title"]}],
        }
    ]
}


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, *, issuer: tuple[str, Any] | None, ca: bool
) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        builder = builder.add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False
        )
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), False)
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    return builder.sign(issuer_key, hashes.SHA256())


class Verifier:
    """A verifier whose leaf certificate for ``verifier.example`` a root CA issued."""

    def __init__(self) -> None:
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = _certificate("Test Root CA", self.root_key, issuer=None, ca=True)
        key = ec.generate_private_key(ec.SECP256R1())
        self.leaf = _certificate(
            "verifier.example", key, issuer=("Test Root CA", self.root_key), ca=False
        )
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self.key = private_key_from_pem(pem)
        self.der = self.leaf.public_bytes(serialization.Encoding.DER)

    def client_id(self, prefix: str) -> str:
        return (
            f"x509_hash:{certificate_hash(self.der)}"
            if prefix == "x509_hash"
            else "x509_san_dns:verifier.example"
        )

    def sign(self, payload: dict[str, Any], *, typ: str = "oauth-authz-req+jwt") -> str:
        header = {"typ": typ, "x5c": x5c_header([self.der])}
        return sign_compact(header, json.dumps(payload).encode(), self.key)


def _payload(client_id: str, **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "client_id": client_id,
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "response_uri": "https://verifier.example/post",
        "dcql_query": QUERY,
        "nonce": "n-0S6_WzA2Mj",
        "state": "s-1",
        "exp": int((NOW + timedelta(minutes=5)).timestamp()),
    }
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not None}


def _authenticate(
    verifier: Verifier, token: str, client_id: str, *, anchors: list[x509.Certificate] | None = None
) -> OutsideRequest:
    link = AuthorizationLink(client_id, "https://verifier.example/request", "get")
    return authenticate_request_object(
        token,
        link=link,
        anchors=[verifier.root] if anchors is None else anchors,
        wallet_nonce=None,
        allow_loopback_http=False,
        now=NOW,
    )


@pytest.mark.parametrize("prefix", ["x509_hash", "x509_san_dns"])
def test_a_request_signed_under_a_trusted_root_is_authenticated_for_either_prefix(
    prefix: str,
) -> None:
    verifier = Verifier()
    client_id = verifier.client_id(prefix)
    outside = _authenticate(verifier, verifier.sign(_payload(client_id)), client_id)
    assert outside.verifier_name == "verifier.example"
    assert outside.request.audience == client_id
    assert outside.request.nonce == "n-0S6_WzA2Mj"
    assert outside.state == "s-1"
    assert outside.response_uri == "https://verifier.example/post"


def test_a_certificate_outside_the_trust_anchors_is_refused() -> None:
    verifier, stranger = Verifier(), Verifier()
    client_id = verifier.client_id("x509_hash")
    with pytest.raises(OutsideRequestInvalid, match="not trusted"):
        _authenticate(
            verifier, verifier.sign(_payload(client_id)), client_id, anchors=[stranger.root]
        )


def test_a_signature_by_another_key_than_the_certificates_is_refused() -> None:
    verifier, impostor = Verifier(), Verifier()
    client_id = verifier.client_id("x509_hash")
    header = {"typ": "oauth-authz-req+jwt", "x5c": x5c_header([verifier.der])}
    forged = sign_compact(header, json.dumps(_payload(client_id)).encode(), impostor.key)
    with pytest.raises(OutsideRequestInvalid, match="not validly signed"):
        _authenticate(verifier, forged, client_id)


@pytest.mark.parametrize(
    ("changes", "client_id", "message"),
    [
        ({}, "x509_hash:not-the-hash", "not the link's"),
        ({"client_id": "x509_hash:not-the-hash"}, "x509_hash:not-the-hash", "not the hash"),
        ({"client_id": "x509_san_dns:other.example"}, "x509_san_dns:other.example", "not a name"),
        (
            {"response_uri": "https://elsewhere.example/post"},
            "x509_san_dns:verifier.example",
            "not on the verifier's host",
        ),
        (
            {"client_id": "redirect_uri:https://v.example"},
            "redirect_uri:https://v.example",
            "prefix",
        ),
        ({"response_mode": "fragment"}, None, "direct_post"),
        ({"response_mode": "direct_post.jwt"}, None, "no key this wallet can encrypt to"),
        ({"transaction_data": ["e30"]}, None, "does not accept"),
        ({"exp": int((NOW - timedelta(seconds=1)).timestamp())}, None, "expired"),
        ({"nonce": None}, None, "nonce"),
        ({"response_uri": "http://verifier.example/post"}, None, "https"),
        ({"dcql_query": {"credentials": []}}, None, "DCQL"),
    ],
)
def test_a_request_breaking_a_rule_of_the_spec_is_refused(
    changes: dict[str, Any], client_id: str | None, message: str
) -> None:
    verifier = Verifier()
    linked = client_id or verifier.client_id("x509_hash")
    signed = verifier.client_id("x509_hash") if not changes else linked
    payload = _payload(signed, **{k: v for k, v in changes.items() if k != "client_id"})
    with pytest.raises(OutsideRequestInvalid, match=message):
        _authenticate(verifier, verifier.sign(payload), linked)


def test_a_request_object_without_its_type_is_refused() -> None:
    verifier = Verifier()
    client_id = verifier.client_id("x509_hash")
    with pytest.raises(OutsideRequestInvalid):
        _authenticate(verifier, verifier.sign(_payload(client_id), typ="JWT"), client_id)


def test_a_wallet_nonce_sent_must_come_back_signed() -> None:
    verifier = Verifier()
    client_id = verifier.client_id("x509_hash")
    link = AuthorizationLink(client_id, "https://verifier.example/request", "post")
    token = verifier.sign(_payload(client_id, wallet_nonce="other"))
    with pytest.raises(OutsideRequestInvalid, match="wallet's nonce"):
        authenticate_request_object(
            token,
            link=link,
            anchors=[verifier.root],
            wallet_nonce="mine",
            allow_loopback_http=False,
            now=NOW,
        )


def test_a_link_by_reference_is_read_and_others_are_refused() -> None:
    link = parse_link(
        "openid4vp://?client_id=x509_hash%3Aabc&request_uri=https%3A%2F%2Fv.example%2Fr"
        "&request_uri_method=post"
    )
    assert link == AuthorizationLink("x509_hash:abc", "https://v.example/r", "post")
    with pytest.raises(OutsideRequestInvalid):
        parse_link("openid4vp://?client_id=a&response_type=vp_token&dcql_query=%7B%7D")


def _encryption_key(**members: Any) -> tuple[ec.EllipticCurvePrivateKey, dict[str, Any]]:
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = {**public_jwk(key.public_key()), "kid": "k1", "use": "enc", "alg": "ECDH-ES", **members}
    return key, {k: v for k, v in jwk.items() if v is not None}


def _encrypted_request(keys: list[dict[str, Any]], **metadata: Any) -> OutsideRequest:
    verifier = Verifier()
    client_id = verifier.client_id("x509_hash")
    payload = _payload(
        client_id,
        response_mode="direct_post.jwt",
        client_metadata={"jwks": {"keys": keys}, **metadata},
    )
    return _authenticate(verifier, verifier.sign(payload), client_id)


def test_a_direct_post_jwt_request_is_answered_encrypted_to_the_verifiers_key() -> None:
    key, jwk = _encryption_key()
    signing = {**_encryption_key()[1], "use": "sig"}
    outside = _encrypted_request(
        [signing, jwk], encrypted_response_enc_values_supported=["A256GCM", "A128GCM"]
    )
    assert outside.encryption == ResponseEncryption(
        jwk={k: jwk[k] for k in ("kty", "crv", "x", "y", "kid")}, enc="A128GCM"
    )
    fields = response_fields(outside, vp_token={"q1": ["sd-jwt~"]})
    assert list(fields) == ["response"]
    sealed = fields["response"]
    assert jwe_header(sealed)["kid"] == "k1"
    opened = decrypt_compact(sealed, key=key, kid="k1", encryptions=["A128GCM"])
    assert json.loads(opened) == {"vp_token": {"q1": ["sd-jwt~"]}, "state": "s-1"}
    declined = response_fields(outside, vp_token=None)["response"]
    opened = decrypt_compact(declined, key=key, kid="k1", encryptions=["A128GCM"])
    assert json.loads(opened) == {"error": "access_denied", "state": "s-1"}


def test_a_direct_post_request_is_answered_with_plain_form_fields() -> None:
    verifier = Verifier()
    client_id = verifier.client_id("x509_hash")
    outside = _authenticate(verifier, verifier.sign(_payload(client_id)), client_id)
    assert outside.encryption is None
    assert response_fields(outside, vp_token={"q1": ["a~"]}) == {
        "vp_token": '{"q1":["a~"]}',
        "state": "s-1",
    }


@pytest.mark.parametrize(
    ("members", "metadata", "message"),
    [
        ({"alg": "ECDH-ES+A128KW"}, {}, "no key"),
        ({"alg": None}, {}, "no key"),
        ({"use": "sig"}, {}, "no key"),
        ({"crv": "P-384"}, {}, "no key"),
        ({"y": "AAAA"}, {}, "no key"),
        ({}, {"encrypted_response_enc_values_supported": ["A128CBC-HS256"]}, "encryption"),
    ],
)
def test_a_direct_post_jwt_request_without_a_key_or_enc_this_wallet_can_use_is_refused(
    members: dict[str, Any], metadata: dict[str, Any], message: str
) -> None:
    _, jwk = _encryption_key(**members)
    with pytest.raises(OutsideRequestInvalid, match=message):
        _encrypted_request([jwk], **metadata)
