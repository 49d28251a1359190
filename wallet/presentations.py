"""Presentations of held SD-JWT VCs holding only the chosen Disclosures (RFC 9901 §7.2).

Shares and answers to verifiers' requests both come here, so what a preview shows is computed by
the same selection that builds the presentation. Claims are chosen with OpenID4VP claims path
pointers (§7: names, indices, ``null`` for every element); a pointer selects the claim, the
parent Disclosures it needs and everything beneath it, nothing else. Each presentation carries
a Key Binding JWT (RFC 9901 §4.3) signed with the holder key the credential is bound to.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credentials.errors import ClaimPathNotFound
from credentials.keys import PrivateKey
from credentials.sd_jwt import WILDCARD, ClaimPath, split_sd_jwt
from credentials.sd_jwt_holder import HolderBinding, create_presentation, open_sd_jwt
from wallet.claims import ClaimPointer, person_claims
from wallet.errors import ShareInvalid
from wallet.held import HeldDocument

SELECTIVE_FORMAT = "dc+sd-jwt"
MAX_POINTERS = 200


@dataclass(frozen=True)
class PresentedCredential:
    """One presentation and what its recipient will see."""

    credential_id: str
    presentation: str
    disclosure_count: int
    disclosed_paths: tuple[str, ...]
    visible_claims: dict[str, Any]


def core_path(pointer: ClaimPointer) -> ClaimPath:
    """An OpenID4VP claims path pointer as a core claim path (``null`` becomes ``*``)."""
    if not pointer or len(pointer) > 32:
        raise ShareInvalid("A claim path is a non-empty list of at most 32 parts.")
    parts: list[str | int] = []
    for part in pointer:
        if part is None:
            parts.append(WILDCARD)
        elif isinstance(part, bool) or not isinstance(part, str | int):
            raise ShareInvalid("A claim path holds names, indices and null only.")
        elif isinstance(part, int) and part < 0:
            raise ShareInvalid("A claim path index is not negative.")
        elif isinstance(part, str) and (not part or part == WILDCARD):
            raise ShareInvalid("A claim path name is a non-empty string other than '*'.")
        else:
            parts.append(part)
    return tuple(parts)


def present(
    document: HeldDocument,
    *,
    pointers: Sequence[ClaimPointer],
    holder_key: PrivateKey | None,
    audience: str,
    nonce: str,
    now: datetime,
) -> PresentedCredential:
    """Build the presentation of ``document`` disclosing only ``pointers``.

    With ``holder_key`` ``None`` no KB-JWT is made (the preview: the same Disclosures). Raises
    :class:`ShareInvalid` for a credential that is not an SD-JWT VC, too many paths, or a path
    that names no claim of the credential.
    """
    if document.format != SELECTIVE_FORMAT:
        raise ShareInvalid("Only SD-JWT VC credentials can be shared claim by claim.")
    if len(pointers) > MAX_POINTERS:
        raise ShareInvalid(f"At most {MAX_POINTERS} claim paths per credential.")
    paths = [core_path(pointer) for pointer in pointers]
    held = open_sd_jwt(document.credential)
    binding = None
    if holder_key is not None:
        binding = HolderBinding(
            holder_key=holder_key, audience=audience, nonce=nonce, issued_at=now
        )
    try:
        made = create_presentation(held, disclose=paths, key_binding=binding)
    except ClaimPathNotFound as error:
        raise ShareInvalid(f"The credential has no such claim: {error.detail}") from None
    without_kb = split_sd_jwt(made.serialized).sd_jwt
    visible = open_sd_jwt(without_kb).claims
    return PresentedCredential(
        credential_id=document.id,
        presentation=made.serialized,
        disclosure_count=len(made.disclosures),
        disclosed_paths=made.disclosed_paths,
        visible_claims=visible,
    )


def shown_claims(presented: PresentedCredential) -> dict[str, Any]:
    """The claims about the person that the recipient will see."""
    return person_claims(presented.visible_claims)
