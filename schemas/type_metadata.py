"""SD-JWT VC Type Metadata documents for Taito's credential types, and claim labels.

Implements SD-JWT VC, "SD-JWT VC Type Metadata": "Type Metadata Format", "Display Metadata",
"Claim Metadata", "Claim Path", "Claim Display Metadata" and "Claim Selective Disclosure Metadata".

Locales. The ``locale`` members are the bare language tags ``fi``, ``sv`` and ``en`` (RFC 5646
§2). Bare tags are chosen over ``fi-FI``/``sv-FI``/``en-US`` because consumers pick "the language
tag [they consider] most appropriate", and RFC 4647 lookup falls back from a user's ``fi-FI`` to
``fi`` but never from ``fi`` to ``fi-FI``. The Swedish is written for Finland (FO-nummer,
studiepoäng) and reads as standard Swedish.

Selective disclosure. Every top-level claim, personal or not, has ``sd: "always"``, and so has
every element of the ``skills``, ``learning_outcomes`` and ``tasks`` arrays, so a holder can show
one skill without the others. Members inside a disclosed object (``awarding_body.name``,
``credits.unit``) are ``"allowed"``: they travel with their object by default and a type that
extends ours may still decide. Required top-level claims carry ``mandatory: true``.
"""

import copy
from collections.abc import Sequence
from typing import Any, Literal

from schemas.claim_path import ClaimPath, path_matches
from schemas.registry import credential_type, vct_for

Language = Literal["fi", "sv", "en"]
LANGUAGES: tuple[Language, ...] = ("fi", "sv", "en")


def primary_language(lang: str) -> Language:
    """``fi``, ``sv`` or ``en`` for a language tag (``fi-FI``, ``sv_FI``, ``EN``); else ``en``."""
    primary = lang.replace("_", "-").split("-", 1)[0].lower()
    for known in LANGUAGES:
        if primary == known:
            return known
    return "en"


def type_metadata(slug: str, *, base_url: str) -> dict[str, Any]:
    """The Type Metadata document to serve at the type's ``vct`` URL.

    Spec: SD-JWT VC, "Type Metadata Format" (``vct``, ``name``, ``description``, ``display``,
    ``claims``) and "From a URL in the vct Claim". Returns a fresh copy the caller may change.
    Raises :class:`schemas.UnknownCredentialType` for an unknown slug and :class:`ValueError`
    for a base URL that is not https.
    """
    item = credential_type(slug)
    return {"vct": vct_for(slug, base_url=base_url), **copy.deepcopy(dict(item.metadata))}


def default_disclosable_paths(slug: str) -> tuple[ClaimPath, ...]:
    """Claim paths an issuer makes selectively disclosable by default (those with ``sd: always``).

    Spec: SD-JWT VC, "Claim Selective Disclosure Metadata". Raises
    :class:`schemas.UnknownCredentialType` for an unknown slug.
    """
    return credential_type(slug).disclosable


def claim_label(slug: str, path: Sequence[str | int | None], lang: str) -> str | None:
    """The end-user label of a claim in ``lang`` (fi, sv or en; others fall back to en).

    ``path`` may name array elements by index (``("skills", 0, "label")``) or by ``None``.
    Returns ``None`` when the type defines no such claim. Spec: SD-JWT VC, "Claim Display
    Metadata". Raises :class:`schemas.UnknownCredentialType` for an unknown slug.
    """
    want = primary_language(lang)
    for claim in credential_type(slug).metadata["claims"]:
        if path_matches(tuple(claim["path"]), path):
            labels = {d["locale"]: d["label"] for d in claim["display"]}
            found = labels.get(want) or labels.get("en")
            return str(found) if found is not None else None
    return None


def type_display_name(slug: str, lang: str) -> str:
    """The end-user name of a credential type in ``lang`` (fi, sv or en; fallback en).

    Spec: SD-JWT VC, "Display Metadata". Raises :class:`schemas.UnknownCredentialType` for an
    unknown slug.
    """
    want = primary_language(lang)
    names = {d["locale"]: d["name"] for d in credential_type(slug).metadata["display"]}
    return str(names.get(want) or names["en"])
