"""The registry of Taito's credential types and their ``vct`` identifiers.

Each type has a stable ``slug`` and an integer ``version``. Its ``vct`` (SD-JWT VC, section
"Verifiable Digital Credential Type - vct Claim") is an HTTPS URL on the Taito instance,
``{base_url}/types/{slug}/v{version}``, from which the type metadata is served
(SD-JWT VC, "From a URL in the vct Claim"). A change that is not backward compatible gets a
new version and so a new ``vct``, as that section advises.

The JSON Schema of a type lives in ``types/{slug}.schema.json`` and its type metadata template
(names, display, claim metadata) in ``types/{slug}.metadata.json``; both are read once, lazily.
"""

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, ClassVar, Final
from urllib.parse import urlsplit

from schemas.claim_path import ClaimPath

SLUGS: Final = (
    "qualification",
    "study_attainment",
    "competence",
    "work_experience",
    "prior_learning_recognition",
)
"""Slugs of every credential type, in display order."""

_VERSIONS: Final = {slug: 1 for slug in SLUGS}


class UnknownCredentialType(LookupError):
    """The slug or ``vct`` does not name a credential type of this Taito instance."""

    code: ClassVar[str] = "unknown_credential_type"
    title: ClassVar[str] = "The credential type is not known"


@dataclass(frozen=True)
class CredentialType:
    """One credential type: its identity, JSON Schema and type metadata template.

    ``schema`` and ``metadata`` are shared, read-only JSON documents: never mutate them
    (:func:`schemas.type_metadata` hands out copies). ``metadata`` is the SD-JWT VC type metadata
    document (SD-JWT VC, "Type Metadata Format") without ``vct``, which depends on the
    instance's base URL.
    ``disclosable`` are the claim paths whose ``sd`` is ``"always"``: what an issuer makes
    selectively disclosable by default (SD-JWT VC, "Claim Selective Disclosure Metadata").
    """

    slug: str
    version: int
    schema: Mapping[str, Any]
    metadata: Mapping[str, Any]
    disclosable: tuple[ClaimPath, ...]


def _read_json(name: str) -> Any:
    text = resources.files("schemas").joinpath("types", name).read_text(encoding="utf-8")
    return json.loads(text)


def _load(slug: str) -> CredentialType:
    metadata = _read_json(f"{slug}.metadata.json")
    disclosable = tuple(
        tuple(claim["path"]) for claim in metadata["claims"] if claim.get("sd") == "always"
    )
    return CredentialType(
        slug=slug,
        version=_VERSIONS[slug],
        schema=_read_json(f"{slug}.schema.json"),
        metadata=metadata,
        disclosable=disclosable,
    )


@functools.cache
def credential_types() -> tuple[CredentialType, ...]:
    """Every credential type, loaded once from the package's data files.

    Spec: SD-JWT VC, "SD-JWT VC Type Metadata". Raises nothing for the shipped files.
    """
    return tuple(_load(slug) for slug in SLUGS)


def credential_type(slug: str) -> CredentialType:
    """The credential type with this slug.

    Spec: SD-JWT VC, "SD-JWT VC Type Metadata". Raises :class:`UnknownCredentialType` for a
    slug that is not registered.
    """
    found = _by_slug().get(slug)
    if found is None:
        raise UnknownCredentialType("no credential type has this slug")
    return found


@functools.cache
def _by_slug() -> dict[str, CredentialType]:
    return {item.slug: item for item in credential_types()}


@functools.lru_cache(maxsize=16)
def _slugs_by_vct(base_url: str) -> dict[str, str]:
    # A few base URLs at most (this instance's); each mapping is built once. A bad base_url
    # raises, and a raise is not cached.
    return {vct_for(item.slug, base_url=base_url): item.slug for item in credential_types()}


def _check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("base_url must be an https URL without query or fragment")
    if any(c.isspace() for c in base_url):
        raise ValueError("base_url must not contain whitespace")
    return base_url.rstrip("/")


def vct_for(slug: str, *, base_url: str) -> str:
    """The ``vct`` of a credential type on the instance at ``base_url``.

    Spec: SD-JWT VC, "vct Claim" (a collision-resistant name; here an HTTPS URL that serves
    the type metadata, "From a URL in the vct Claim"). Raises :class:`UnknownCredentialType`
    for an unknown slug and :class:`ValueError` when ``base_url`` is not an https URL.
    """
    item = credential_type(slug)
    return f"{_check_base_url(base_url)}/types/{item.slug}/v{item.version}"


def slug_from_vct(vct: str, *, base_url: str) -> str:
    """The slug of the credential type whose ``vct`` on this instance is exactly ``vct``.

    Spec: SD-JWT VC, "vct Claim" (``vct`` values compare case-sensitively). Raises
    :class:`UnknownCredentialType` when no type of this instance has that ``vct`` (another
    instance's type, another version, any other string) and :class:`ValueError` for a bad
    ``base_url``.
    """
    slug = _slugs_by_vct(base_url).get(vct)
    if slug is None:
        raise UnknownCredentialType("the vct is not a credential type of this instance")
    return slug


def example_claims(slug: str) -> dict[str, Any]:
    """A valid, fictitious set of claims of the type (``types/{slug}.example.json``), a fresh copy.

    For documentation, demos and tests. Raises :class:`UnknownCredentialType` for an unknown slug.
    """
    item = credential_type(slug)
    claims: dict[str, Any] = _read_json(f"{item.slug}.example.json")
    return claims
