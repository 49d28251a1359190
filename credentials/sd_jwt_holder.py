"""The holder's side of SD-JWT: choosing Disclosures and presenting them (RFC 9901 §7.2).

The holder first verifies what the issuer sent with
:func:`~credentials.sd_jwt_verifier.verify_sd_jwt_issuance` (which refuses an SD-JWT+KB). To
present, it names claims by path over its own full view of the credential (every Disclosure
applied): ``degree.title``, ``skills[2]``, ``nationalities[*]``. Disclosing a path discloses
everything beneath it and the parent Disclosures it needs to connect to the issuer-signed JWT
(§4.2.6), and nothing else. With Key Binding, the KB-JWT is signed by the holder key, which
must be the one in the credential's ``cnf`` (§4.3).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credentials.encoding import JSONSerializer, json_dumps
from credentials.errors import ClaimPathNotFound, KeyBindingUnexpected
from credentials.jws import parse_compact, payload_object
from credentials.kb_jwt import create_kb_jwt, holder_key_from_cnf
from credentials.keys import PrivateKey
from credentials.sd_jwt import (
    WILDCARD,
    ClaimPath,
    Disclosure,
    SDAlg,
    format_claim_path,
    join_sd_jwt,
    parse_claim_path,
    parse_disclosure,
    sd_alg_of,
    split_sd_jwt,
)
from credentials.sd_jwt_processing import DisclosedClaim, process_payload


@dataclass(frozen=True)
class HolderBinding:
    """What the holder needs to create a KB-JWT (RFC 9901 §4.3): key, verifier, nonce, time."""

    holder_key: PrivateKey
    audience: str
    nonce: str
    issued_at: datetime


@dataclass(frozen=True)
class HeldSDJWT:
    """A stored SD-JWT opened for presentation: the holder's full view of its claims."""

    issuer_jwt: str
    disclosures: tuple[Disclosure, ...]
    claims: dict[str, Any]
    disclosed: tuple[DisclosedClaim, ...]
    sd_alg: SDAlg


@dataclass(frozen=True)
class Presentation:
    """A presentation made by :func:`create_presentation`."""

    serialized: str
    disclosures: tuple[Disclosure, ...]
    disclosed_paths: tuple[str, ...]
    key_bound: bool


def open_sd_jwt(sd_jwt: str) -> HeldSDJWT:
    """Apply every Disclosure of a stored SD-JWT to get the holder's view (RFC 9901 §7.1 step 3).

    The structure rules of the verifier apply; the signature is not checked again (the holder
    did so on receipt). Raises :class:`KeyBindingUnexpected` for an SD-JWT+KB and the parsing
    and Disclosure errors of the verifier.
    """
    parts = split_sd_jwt(sd_jwt)
    if parts.kb_jwt is not None:
        raise KeyBindingUnexpected("a stored SD-JWT carries no KB-JWT")
    payload = payload_object(parse_compact(parts.issuer_jwt, what="issuer-signed JWT"))
    sd_alg = sd_alg_of(payload)
    disclosures = tuple(parse_disclosure(encoded) for encoded in parts.disclosures)
    processed = process_payload(payload, disclosures, sd_alg=sd_alg, plain_claims=())
    return HeldSDJWT(
        issuer_jwt=parts.issuer_jwt,
        disclosures=disclosures,
        claims=processed.claims,
        disclosed=processed.disclosed,
        sd_alg=sd_alg,
    )


def select_disclosures(held: HeldSDJWT, paths: Iterable[str | ClaimPath]) -> tuple[Disclosure, ...]:
    """The Disclosures that reveal the claims at ``paths`` and what they need (RFC 9901 §7.2).

    For each path: the Disclosures of the claim itself, of its parents and of everything
    beneath it. Claims that are always visible need none. Result in issuance order. Raises
    :class:`ClaimPathNotFound` when a path names no claim; ``ValueError`` for a malformed path.
    """
    patterns = [parse_claim_path(path) for path in paths]
    for pattern in patterns:
        if not _exists(held.claims, pattern):
            raise ClaimPathNotFound(f"no claim at {format_claim_path(pattern)}")
    chosen = {
        d.disclosure.encoded
        for d in held.disclosed
        if any(_related(d.path, pattern) for pattern in patterns)
    }
    return tuple(d for d in held.disclosures if d.encoded in chosen)


def create_presentation(
    held: HeldSDJWT,
    *,
    disclose: Iterable[str | ClaimPath],
    key_binding: HolderBinding | None,
    serialize: JSONSerializer = json_dumps,
) -> Presentation:
    """Assemble ``<JWT>~<selected Disclosures>~[<KB-JWT>]`` (RFC 9901 §4, §7.2).

    ``key_binding`` is explicit: ``None`` presents without a KB-JWT. With it, the holder key
    must match the credential's ``cnf`` JWK (``ValueError`` otherwise); a credential without
    ``cnf`` raises :class:`~credentials.errors.HolderKeyMissing`.
    """
    selected = select_disclosures(held, disclose)
    chosen = {d.encoded for d in selected}
    sd_jwt = join_sd_jwt(held.issuer_jwt, (d.encoded for d in selected))
    kb_jwt = None
    if key_binding is not None:
        bound = holder_key_from_cnf(held.claims)
        if bound.thumbprint != key_binding.holder_key.public.thumbprint:
            raise ValueError("the holder key is not the one the credential is bound to")
        kb_jwt = create_kb_jwt(
            sd_jwt,
            holder_key=key_binding.holder_key,
            audience=key_binding.audience,
            nonce=key_binding.nonce,
            issued_at=key_binding.issued_at,
            sd_alg=held.sd_alg,
            serialize=serialize,
        )
    return Presentation(
        serialized=sd_jwt + (kb_jwt or ""),
        disclosures=selected,
        disclosed_paths=tuple(
            format_claim_path(d.path) for d in held.disclosed if d.disclosure.encoded in chosen
        ),
        key_bound=kb_jwt is not None,
    )


def _step_matches(pattern: str | int, actual: str | int) -> bool:
    return pattern == actual or (pattern == WILDCARD and isinstance(actual, int))


def _related(path: ClaimPath, pattern: ClaimPath) -> bool:
    # The Disclosure at ``path`` is needed when it is the selected claim, one of its parents
    # (``path`` a prefix of ``pattern``) or beneath it (``pattern`` a prefix of ``path``).
    return all(_step_matches(p, a) for p, a in zip(pattern, path, strict=False))


def _exists(value: Any, pattern: ClaimPath) -> bool:
    if not pattern:
        return True
    step, rest = pattern[0], pattern[1:]
    if isinstance(value, dict):
        return isinstance(step, str) and step in value and _exists(value[step], rest)
    if isinstance(value, list):
        if step == WILDCARD:
            return any(_exists(item, rest) for item in value)
        return isinstance(step, int) and 0 <= step < len(value) and _exists(value[step], rest)
    return False
