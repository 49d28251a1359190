"""X.509 certificate chains that authenticate an OpenID4VP Request Object (OpenID4VP 1.0 §5.9.3).

A Verifier using the ``x509_san_dns`` or ``x509_hash`` Client Identifier Prefix signs its Request
Object with the key of the leaf certificate it sends in the ``x5c`` JOSE header (RFC 7515 §4.1.6:
base64, not base64url, DER). The Wallet validates the chain against its trust anchors and then
checks the Client Identifier against the leaf: a ``dNSName`` SAN (``x509_san_dns``) or the
base64url SHA-256 hash of the DER leaf (``x509_hash``).

Pure: no I/O. Raises :class:`~credentials.errors.CertificateInvalid` for every failure, naming no
certificate content.
"""

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store, VerificationError

from credentials.clock import require_aware
from credentials.encoding import b64url_encode
from credentials.errors import CertificateInvalid, InvalidKey
from credentials.keys import PublicKey, public_key_of

MAX_CHAIN = 5
"""Certificates accepted in one ``x5c`` header."""
MAX_CERTIFICATE_BYTES = 16 * 1024


@dataclass(frozen=True)
class VerifiedChain:
    """A chain that ends at a trust anchor: its leaf's key, DNS names and hash."""

    public_key: PublicKey
    dns_names: tuple[str, ...]
    leaf_hash: str


def certificate_hash(der: bytes) -> str:
    """The ``x509_hash`` value: base64url SHA-256 of the DER certificate (OpenID4VP 1.0 §5.9.3)."""
    return b64url_encode(hashlib.sha256(der).digest())


def x5c_header(chain: Sequence[bytes]) -> list[str]:
    """The ``x5c`` header value of a DER chain, leaf first (RFC 7515 §4.1.6)."""
    return [base64.b64encode(der).decode("ascii") for der in chain]


def _decode_x5c(x5c: object) -> list[x509.Certificate]:
    if not isinstance(x5c, list) or not 0 < len(x5c) <= MAX_CHAIN:
        raise CertificateInvalid(f"x5c must hold 1-{MAX_CHAIN} certificates")
    chain = []
    for item in x5c:
        if not isinstance(item, str) or len(item) > MAX_CERTIFICATE_BYTES * 2:
            raise CertificateInvalid("an x5c entry is not a certificate")
        try:
            chain.append(x509.load_der_x509_certificate(base64.b64decode(item, validate=True)))
        except (ValueError, binascii.Error):
            raise CertificateInvalid("an x5c entry is not a DER certificate") from None
    return chain


def dns_names(certificate: x509.Certificate) -> tuple[str, ...]:
    """The ``dNSName`` entries of the certificate's Subject Alternative Name."""
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return ()
    return tuple(name.lower() for name in san.value.get_values_for_type(x509.DNSName))


def verify_x5c(x5c: object, *, anchors: Sequence[x509.Certificate], now: datetime) -> VerifiedChain:
    """Validate an ``x5c`` chain against ``anchors`` at ``now`` (RFC 5280 §6).

    A leaf that is itself one of the anchors (a pinned, possibly self-signed certificate) is
    trusted as it is, within its validity period; any other chain must build to an anchor under
    RFC 5280 with the Web PKI's rules for CAs (the leaf's extended key usage is not
    restricted: request-signing certificates carry no standard one). Raises
    :class:`CertificateInvalid`.
    """
    now = require_aware(now)
    chain = _decode_x5c(x5c)
    leaf = chain[0]
    if now < leaf.not_valid_before_utc:
        raise CertificateInvalid("the certificate is not valid yet")
    if now >= leaf.not_valid_after_utc:
        raise CertificateInvalid("the certificate has expired")
    if leaf not in anchors:
        if not anchors:
            raise CertificateInvalid("no trust anchors are configured")
        try:
            builder = PolicyBuilder().store(Store(list(anchors))).time(now)
            builder = builder.extension_policies(
                ca_policy=ExtensionPolicy.webpki_defaults_ca(),
                ee_policy=ExtensionPolicy.permit_all(),
            )
            builder.build_client_verifier().verify(leaf, chain[1:])
        except (VerificationError, ValueError):
            raise CertificateInvalid(
                "the certificate chain does not lead to a trust anchor"
            ) from None
    der = leaf.public_bytes(Encoding.DER)
    try:
        key = public_key_of(leaf.public_key(), kid=certificate_hash(der))
    except InvalidKey:
        raise CertificateInvalid("the certificate's key is not Ed25519 or P-256") from None
    return VerifiedChain(public_key=key, dns_names=dns_names(leaf), leaf_hash=certificate_hash(der))


def load_pem_chain(data: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle. Raises :class:`CertificateInvalid`."""
    try:
        chain = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise CertificateInvalid("the PEM does not hold certificates") from None
    if not 0 < len(chain) <= MAX_CHAIN * 20:
        raise CertificateInvalid("the PEM holds no or too many certificates")
    return chain
