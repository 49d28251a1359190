"""DID and DID URL syntax (W3C DID Core 1.0 §3.1 "DID Syntax", §3.2 "DID URL Syntax").

Only the part Taito needs: a DID, and a DID URL that is a DID plus a fragment naming one of its
verification methods (``did:web:example.com#key-1``). DID URLs with a path or a query name
resources, not keys, and are refused. A relative DID URL (``#key-1``), as used in DID documents
and in JOSE ``kid`` headers, is made absolute against the DID it belongs to.
"""

import re
from dataclasses import dataclass

from credentials.errors import DIDInvalid, IssuerMismatch

MAX_DID_LENGTH = 2048
"""Longest DID or DID URL accepted; a did:jwk of a P-256 key is under 300 characters."""

# DID Core §3.1: did = "did:" method-name ":" method-specific-id, where
# method-specific-id = *( *idchar ":" ) 1*idchar and idchar = ALPHA / DIGIT / "." / "-" / "_" /
# pct-encoded.
_IDCHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
_DID = re.compile(rf"did:([a-z0-9]+):((?:{_IDCHAR}*:)*{_IDCHAR}+)")
# RFC 3986 §3.5: fragment = *( pchar / "/" / "?" ); we also require it to be non-empty.
_FRAGMENT = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})+")


@dataclass(frozen=True)
class DID:
    """A syntactically valid DID, split into method and method-specific identifier."""

    method: str
    method_specific_id: str

    def __str__(self) -> str:
        return f"did:{self.method}:{self.method_specific_id}"


def parse_did(text: str) -> DID:
    """Parse a DID (DID Core §3.1); raise :class:`DIDInvalid` for anything else.

    A DID URL (with path, query or fragment) is not a DID and is refused here.
    """
    if not isinstance(text, str) or len(text) > MAX_DID_LENGTH:
        raise DIDInvalid("the DID is not a string of acceptable length")
    match = _DID.fullmatch(text)
    if match is None:
        raise DIDInvalid("the value is not a DID")
    return DID(match.group(1), match.group(2))


def parse_did_url(text: str) -> tuple[DID, str]:
    """Parse ``did#fragment`` (DID Core §3.2) into the DID and the fragment.

    Raises :class:`DIDInvalid` when there is no fragment, or a path or query.
    """
    if not isinstance(text, str) or len(text) > MAX_DID_LENGTH:
        raise DIDInvalid("the DID URL is not a string of acceptable length")
    did_part, hash_sign, fragment = text.partition("#")
    if not hash_sign or not _FRAGMENT.fullmatch(fragment):
        raise DIDInvalid("the DID URL does not end in a valid fragment")
    return parse_did(did_part), fragment


def absolute_did_url(did: str, reference: str) -> str:
    """Make ``reference`` (``#fragment`` or ``did#fragment``) an absolute DID URL of ``did``.

    DID Core §3.2.2 (relative DID URLs). Raises :class:`DIDInvalid` for a malformed reference
    and :class:`IssuerMismatch` when an absolute reference names a key of another DID: a key is
    only ever looked up under the DID whose key it claims to be.
    """
    if not isinstance(reference, str):
        raise DIDInvalid("the DID URL is not a string")
    if reference.startswith("#"):
        reference = did + reference
    named, _ = parse_did_url(reference)
    if str(named) != did:
        raise IssuerMismatch("the key is named under another DID than the expected one")
    return reference
