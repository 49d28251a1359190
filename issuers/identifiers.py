"""The URLs and identifiers of an issuer on this instance (DESIGN.md, "Identifiers and URLs").

With ``B`` the instance's base URL:

- issuer identifier (SD-JWT VC ``iss``): ``B/issuers/{slug}``, whose JWT VC Issuer Metadata is at
  ``B/.well-known/jwt-vc-issuer/issuers/{slug}`` (SD-JWT VC §4.1 insertion rule);
- ``did:web:{host}:issuers:{slug}`` (the ``vc+jwt`` issuer), its document at
  ``B/issuers/{slug}/did.json``;
- IETF Token Status List: ``B/status/{list_id}``; W3C status list credentials:
  ``B/status/w3c/{list_id}-revocation`` and ``B/status/w3c/{list_id}-suspension``.
"""

import re
from typing import Final, Literal
from urllib.parse import urlsplit

W3CPurpose = Literal["revocation", "suspension"]
W3C_PURPOSES: Final[tuple[W3CPurpose, ...]] = ("revocation", "suspension")

SLUG_PATTERN: Final = re.compile(r"\A[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")
"""Issuer slugs: lower-case letters, digits and inner hyphens; safe in URLs and did:web."""


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def issuer_identifier(base_url: str, slug: str) -> str:
    """The issuer identifier ``B/issuers/{slug}`` (SD-JWT VC §3.2.2.2 ``iss``)."""
    return f"{_base(base_url)}/issuers/{slug}"


def issuer_did(base_url: str, slug: str) -> str:
    """``did:web:{host}:issuers:{slug}`` (did:web method; a port is written ``%3A``)."""
    netloc = urlsplit(base_url).netloc
    return f"did:web:{netloc.replace(':', '%3A')}:issuers:{slug}"


def status_list_uri(base_url: str, list_id: str) -> str:
    """The ``uri`` of an IETF Token Status List (draft-ietf-oauth-status-list §6.2)."""
    return f"{_base(base_url)}/status/{list_id}"


def w3c_status_list_uri(base_url: str, list_id: str, purpose: W3CPurpose) -> str:
    """The ``statusListCredential`` URL of a W3C list (Bitstring Status List §2.1)."""
    return f"{_base(base_url)}/status/w3c/{list_id}-{purpose}"


def parse_w3c_list_name(name: str) -> tuple[str, W3CPurpose] | None:
    """Split ``{list_id}-{purpose}`` as published; ``None`` when it is not of that form."""
    list_id, _, purpose = name.rpartition("-")
    for known in W3C_PURPOSES:
        if purpose == known and list_id:
            return list_id, known
    return None


def slug_of_identifier(identifier: str, *, base_url: str) -> str | None:
    """The slug when ``identifier`` is this instance's issuer URL or did:web, else ``None``."""
    prefix = issuer_identifier(base_url, "")
    did_prefix = issuer_did(base_url, "")
    for start in (prefix, did_prefix):
        if identifier.startswith(start):
            slug = identifier[len(start) :]
            return slug if SLUG_PATTERN.match(slug) else None
    return None
