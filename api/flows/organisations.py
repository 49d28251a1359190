"""An organisation as its staff's pages see it: the issuer and/or verifier a slug names.

Reads only. ``issuers`` and ``verifiers`` each own their organisations; a slug may name one of
each (an employer that also issues). Staff roles name organisations by this slug
(:mod:`wallet.staff`).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from credentials.errors import TaitoError
from issuers import api_keys as issuer_keys
from issuers.errors import IssuerNotFound
from issuers.organisations import IssuerAccount, get_issuer
from verifiers import api_keys as verifier_keys
from verifiers.errors import VerifierApiKeyNotFound, VerifierNotFound
from verifiers.organisations import VerifierInfo, get_verifier


@dataclass(frozen=True)
class Organisation:
    """What a slug names: its issuer, its verifier, or both."""

    slug: str
    name: str
    issuer: IssuerAccount | None
    verifier: VerifierInfo | None

    @property
    def disabled(self) -> bool:
        """Disabled when every part of it is (its keys and staff stop working)."""
        parts: list[datetime | None] = []
        if self.issuer is not None:
            parts.append(self.issuer.disabled_at)
        if self.verifier is not None:
            parts.append(self.verifier.disabled_at)
        return all(moment is not None for moment in parts)


class OrganisationNotFound(TaitoError):
    code = "organisation_not_found"
    title = "There is no such organisation"
    status = 404


def existing_organisation(session: Session, *, slug: str, base_url: str) -> Organisation:
    """The organisation named ``slug``; raises :class:`OrganisationNotFound` (404) when none is.

    Staff roles and invitations are given only for an organisation that exists, so that a role
    created for a slug nobody has yet cannot open an organisation registered under it later.
    """
    found = find_organisation(session, slug=slug, base_url=base_url)
    if found is None:
        raise OrganisationNotFound("There is no organisation with this name.")
    return found


def find_organisation(session: Session, *, slug: str, base_url: str) -> Organisation | None:
    """The organisation named ``slug``, or ``None`` when neither service has one."""
    issuer: IssuerAccount | None
    verifier: VerifierInfo | None
    try:
        issuer = get_issuer(session, slug=slug)
    except IssuerNotFound:
        issuer = None
    try:
        verifier = get_verifier(session, slug=slug, base_url=base_url)
    except VerifierNotFound:
        verifier = None
    if issuer is None and verifier is None:
        return None
    name = issuer.name if issuer is not None else verifier.name if verifier is not None else slug
    return Organisation(slug=slug, name=name, issuer=issuer, verifier=verifier)


@dataclass(frozen=True)
class OrganisationKey:
    """One API key of an organisation, and which service it opens (``issuer``/``verifier``)."""

    kind: str
    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def organisation_keys(session: Session, organisation: Organisation) -> list[OrganisationKey]:
    """Every API key of the organisation's issuer and verifier, oldest first (never the keys)."""
    found: list[OrganisationKey] = []
    if organisation.issuer is not None:
        for key in issuer_keys.list_api_keys(session, issuer_id=organisation.issuer.id):
            found.append(OrganisationKey("issuer", **vars(key)))
    if organisation.verifier is not None:
        for info in verifier_keys.list_api_keys(session, verifier_id=organisation.verifier.id):
            found.append(OrganisationKey("verifier", **vars(info)))
    return sorted(found, key=lambda k: (k.created_at, k.id))


def add_organisation_key(
    session: Session, organisation: Organisation, *, kind: str, name: str, now: datetime
) -> str:
    """A new named key for the organisation's ``kind`` side, shown once; the service commits.

    Raises :class:`issuers.errors.IssuerInvalid` / :class:`verifiers.errors.VerifierInvalid`
    for a bad name or too many keys, and :class:`KeyKindInvalid` for a side it does not have.
    """
    if kind == "issuer" and organisation.issuer is not None:
        return issuer_keys.add_api_key(
            session, issuer_id=organisation.issuer.id, name=name, now=now
        ).api_key
    if kind == "verifier" and organisation.verifier is not None:
        return verifier_keys.add_api_key(
            session, verifier_id=organisation.verifier.id, name=name, now=now
        ).api_key
    raise KeyKindInvalid("the organisation has no such side")


def revoke_organisation_key(
    session: Session, organisation: Organisation, *, key_id: str, now: datetime
) -> None:
    """Revoke one of the organisation's keys; the service commits.

    Raises :class:`issuers.errors.IssuerApiKeyNotFound` / ``VerifierApiKeyNotFound`` (404)
    for a key that is not the organisation's.
    """
    if key_id.startswith("vkey_") and organisation.verifier is not None:
        verifier_keys.revoke_api_key(
            session, verifier_id=organisation.verifier.id, key_id=key_id, now=now
        )
    elif organisation.issuer is not None:
        issuer_keys.revoke_api_key(
            session, issuer_id=organisation.issuer.id, key_id=key_id, now=now
        )
    else:
        raise VerifierApiKeyNotFound("the verifier has no such API key")


class KeyKindInvalid(TaitoError):
    code = "api_key_kind_invalid"
    title = "The organisation cannot have this kind of key"
    status = 422
