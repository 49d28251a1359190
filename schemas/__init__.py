"""Taito's credential types: JSON Schemas, SD-JWT VC type metadata and the ESCO/EQF vocabularies.

Pure data and the functions that read it; no I/O beyond the package's own files. Imports only the
standard library, ``jsonschema`` and its own modules; never ``credentials``, the services or
``api``.
"""

from schemas.claim_path import ClaimPath, ClaimPathError, json_pointer, select_claims
from schemas.eqf import EQFLevel, eqf_level, eqf_levels
from schemas.henkilotunnus import contains_personal_identity_code, find_personal_identity_codes
from schemas.registry import (
    SLUGS,
    CredentialType,
    UnknownCredentialType,
    credential_type,
    credential_types,
    example_claims,
    slug_from_vct,
    vct_for,
)
from schemas.type_metadata import (
    LANGUAGES,
    claim_label,
    default_disclosable_paths,
    type_display_name,
    type_metadata,
)
from schemas.validation import Violation, ViolationCode, validate_claims
from schemas.vocabulary import (
    Occupation,
    OccupationVocabulary,
    Skill,
    SkillVocabulary,
    occupation_vocabulary,
    skill_vocabulary,
)

__all__ = [
    "LANGUAGES",
    "SLUGS",
    "ClaimPath",
    "ClaimPathError",
    "CredentialType",
    "EQFLevel",
    "Occupation",
    "OccupationVocabulary",
    "Skill",
    "SkillVocabulary",
    "UnknownCredentialType",
    "Violation",
    "ViolationCode",
    "claim_label",
    "contains_personal_identity_code",
    "credential_type",
    "credential_types",
    "default_disclosable_paths",
    "eqf_level",
    "eqf_levels",
    "example_claims",
    "find_personal_identity_codes",
    "json_pointer",
    "occupation_vocabulary",
    "select_claims",
    "skill_vocabulary",
    "slug_from_vct",
    "type_display_name",
    "type_metadata",
    "validate_claims",
    "vct_for",
]
