"""The certificate and key that sign this instance's OpenID4VP Request Objects, and the trust
anchors its wallet checks other verifiers' Request Objects against (OpenID4VP 1.0 §5.9.3).

Production reads a PEM certificate chain (leaf first) from ``TAITO_OPENID4VP_CERTIFICATE_FILE``
and its PEM private key from ``TAITO_OPENID4VP_KEY_FILE`` (readable by its owner only); without
both, this instance offers no OpenID4VP requests. Development and test create, once, a
self-signed P-256 certificate for the base URL's host (a ``dNSName`` SAN), valid for a year,
in the data folder: ``dev-openid4vp.pem`` and its key ``dev-openid4vp.key`` (0600), like the
development KEK. The wallet trusts the anchors of ``TAITO_OPENID4VP_TRUST_ANCHORS_FILE`` and,
outside production, this instance's own certificate.
"""

import logging
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from api.data_folder import make_private_folder
from api.settings import Environment, Settings
from credentials.errors import CertificateInvalid, InvalidKey
from credentials.keys import private_key_from_pem, public_key_of
from credentials.x509 import load_pem_chain
from verifiers.request_objects import RequestSigner

logger = logging.getLogger("taito.openid4vp")
DEV_CERTIFICATE = "dev-openid4vp.pem"
DEV_KEY = "dev-openid4vp.key"
DEV_VALIDITY = timedelta(days=365)


class RequestSigningError(RuntimeError):
    """The OpenID4VP certificate or key is missing, unreadable or does not fit (start-up)."""


def base_host(settings: Settings) -> str:
    """The base URL's host: the ``dNSName`` of the development certificate."""
    host = urlsplit(settings.base_url).hostname
    if not host:
        raise RequestSigningError("TAITO_BASE_URL has no host")
    return host


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def ensure_dev_certificate(settings: Settings, *, now: datetime) -> tuple[Path, Path]:
    """Create the development certificate and key (0600) if missing; return both paths."""
    certificate_path = settings.data_dir / DEV_CERTIFICATE
    key_path = settings.data_dir / DEV_KEY
    if certificate_path.exists() and key_path.exists():
        return certificate_path, key_path
    make_private_folder(settings.data_dir)
    host = base_host(settings)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + DEV_VALIDITY)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    for path in (certificate_path, key_path):
        path.unlink(missing_ok=True)
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(key_path, pem_key)
    _write_private(certificate_path, certificate.public_bytes(serialization.Encoding.PEM))
    logger.warning("created a development OpenID4VP certificate at %s (0600)", certificate_path)
    return certificate_path, key_path


def _read(path: Path, *, private: bool, production: bool) -> bytes:
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError:
        raise RequestSigningError("an OpenID4VP certificate or key file cannot be read") from None
    if private and production and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise RequestSigningError("the OpenID4VP key file must be readable by its owner only")
    return data


def load_request_signer(settings: Settings) -> RequestSigner | None:
    """The signer for ``settings``: configured files, the development pair, or ``None``.

    Raises :class:`RequestSigningError` for unreadable files, a key that does not belong to the
    leaf certificate, or only one of the two production settings.
    """
    production = settings.environment is Environment.PRODUCTION
    certificate_file = settings.openid4vp_certificate_file
    key_file = settings.openid4vp_key_file
    if (certificate_file is None) != (key_file is None):
        raise RequestSigningError(
            "set both TAITO_OPENID4VP_CERTIFICATE_FILE and TAITO_OPENID4VP_KEY_FILE, or neither"
        )
    if certificate_file is None or key_file is None:
        if production:
            return None
        certificate_file, key_file = ensure_dev_certificate(settings, now=datetime.now(UTC))
    try:
        chain = load_pem_chain(_read(certificate_file, private=False, production=production))
        key = private_key_from_pem(_read(key_file, private=True, production=production))
        leaf_key = public_key_of(chain[0].public_key(), kid="leaf")
    except (CertificateInvalid, InvalidKey):
        raise RequestSigningError("the OpenID4VP certificate or key is not valid") from None
    if leaf_key.thumbprint != key.public.thumbprint:
        raise RequestSigningError("the OpenID4VP key does not belong to the leaf certificate")
    der = tuple(c.public_bytes(serialization.Encoding.DER) for c in chain)
    return RequestSigner(key=key, chain=der)


def load_trust_anchors(
    settings: Settings, signer: RequestSigner | None
) -> tuple[x509.Certificate, ...]:
    """The anchors Taito's wallet trusts for verifiers' certificates (module docstring).

    Raises :class:`RequestSigningError` for an unreadable or invalid anchors file.
    """
    anchors: list[x509.Certificate] = []
    if settings.openid4vp_trust_anchors_file is not None:
        data = _read(settings.openid4vp_trust_anchors_file, private=False, production=False)
        try:
            anchors.extend(load_pem_chain(data))
        except CertificateInvalid:
            raise RequestSigningError("the OpenID4VP trust anchors are not valid") from None
    if signer is not None and settings.environment is not Environment.PRODUCTION:
        anchors.append(x509.load_der_x509_certificate(signer.chain[0]))
    return tuple(anchors)
