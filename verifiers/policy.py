"""The verification policy: the defaults, and what each door of the gate requires.

Policy is configuration, never input (docs/security.md, "Verification policy"): nothing in a
token chooses how it is verified. The defaults are ES256 and EdDSA only, ``typ`` ``dc+sd-jwt``
only (the legacy ``vc+sd-jwt`` only where a door says so), 60 s of clock tolerance and a KB-JWT
at most 5 minutes old.

Every acceptance of a credential or presentation goes through :func:`verifiers.gate.admit` with
one :class:`DoorPolicy` below. The differences between doors are the fields of these objects and
nothing else: the gate reads them, the doors (:mod:`verifiers.submissions`,
:mod:`verifiers.receiving`, the CLI) only choose one and interpret the report. ``docs/security.md``
shows them as a table that a test compares with :data:`DOORS`.
"""

from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import Final, Literal

from credentials.keys import ALGORITHMS, Algorithm
from credentials.sd_jwt_vc import LEGACY_VC_TYP, PLAIN_CLAIMS, VC_TYP, VCTyp

ACCEPTED_ALGORITHMS: Final[tuple[Algorithm, ...]] = ALGORITHMS
"""ES256 and EdDSA; ``none`` and HMAC never."""
CLOCK_TOLERANCE: Final = timedelta(seconds=60)
"""docs/security.md, "Time": clock tolerance 60 s."""
KB_MAX_AGE: Final = timedelta(minutes=5)
"""docs/security.md, "Key binding": a KB-JWT is at most 5 minutes old when it answers a request."""
KEPT_ANSWER_MAX_AGE: Final = timedelta(days=365)
"""A request's kept answer is verified again for at most a year after the person gave it."""
ACCEPTED_TYP: Final[tuple[VCTyp, ...]] = (VC_TYP,)
LEGACY_TYP: Final[tuple[VCTyp, ...]] = (VC_TYP, LEGACY_VC_TYP)
REGISTERED_CLAIMS: Final = frozenset(PLAIN_CLAIMS | {"sub"})
"""Claims about the credential rather than its subject; never reported as disclosed claims."""

Format = Literal["dc+sd-jwt", "vc+jwt", "vp+jwt"]


class KeyBinding(StrEnum):
    """Whether a door wants proof that the holder of the credential's key presents it."""

    REQUIRED = "required"
    """A KB-JWT (SD-JWT) or the holder's vp+jwt signature must be there and verify."""
    OPTIONAL = "optional"
    """Verified when present (always: a KB-JWT is never ignored), not required."""
    REFUSED = "refused"
    """An issued credential is received: a KB-JWT in it is malformed input."""


class StatusRule(StrEnum):
    """Whether a door checks the credential's status now."""

    REQUIRED = "required"
    """The status list is read now; an unreachable or invalid list fails the check."""
    SKIPPED = "skipped"
    """Not read at all (the operator said ``--offline``); the report says so."""


class TrustSource(StrEnum):
    """Where a door learns which issuers it trusts, for what, and their keys."""

    REGISTRY = "registry"
    """The trust registry and the issuers of this instance, each trusted for its types only."""
    PINNED_KEY = "pinned_key"
    """The one issuer key the operator gave on the command line, trusted for any type."""


class NonceUse(StrEnum):
    """Where the expected nonce comes from and what happens to it."""

    SINGLE_USE = "single_use"
    """Issued by this verifier; consumed once a holder signed it, a replay is refused."""
    SHARE = "share"
    """Made by this instance for one view of a share and signed by the wallet at that moment;
    never stored, so there is nothing to consume (a copied answer is a stale proof)."""
    CALLER = "caller"
    """Given on the command line; the caller tracks its use."""
    RECORDED = "recorded"
    """The nonce of a request that was answered: consumed then, checked again, never again
    consumed."""
    NONE = "none"
    """No nonce: an issued credential carries no Key Binding."""


class Audience(StrEnum):
    """Whose identifier the Key Binding's ``aud`` must equal."""

    VERIFIER = "verifier"
    """The client identifier of the verifier the presentation is submitted to."""
    OPENID4VP_CLIENT = "openid4vp_client"
    """The verifier's OpenID4VP Client Identifier, its prefix included (``x509_hash:...``):
    what the wallet read in the signed Request Object (OpenID4VP 1.0 §5.9.1, §14.1.2)."""
    SHARE = "share"
    """The audience the person named when making the share."""
    CALLER = "caller"
    """Given on the command line."""
    RECORDED = "recorded"
    """The audience the answer was verified for when it arrived, kept with it."""
    NONE = "none"
    """No audience: an issued credential carries no Key Binding."""


@dataclass(frozen=True)
class DoorPolicy:
    """What one door of the gate requires (docs/security.md, "What each door requires")."""

    door: str
    formats: frozenset[Format]
    key_binding: KeyBinding
    audience: Audience
    nonce: NonceUse
    max_kb_age: timedelta | None
    """The oldest KB-JWT accepted; the door may hand in a tighter bound, never a looser one."""
    status: StatusRule
    trust: TrustSource
    holder_binding: bool
    """The credential must be bound to the receiving wallet's key (``cnf`` or subject DID)."""
    accepted_typ: tuple[VCTyp, ...] = ACCEPTED_TYP


VERIFICATION_API: Final = DoorPolicy(
    door="POST /v1/verifications",
    formats=frozenset({"dc+sd-jwt"}),
    key_binding=KeyBinding.REQUIRED,
    audience=Audience.VERIFIER,
    nonce=NonceUse.SINGLE_USE,
    max_kb_age=KB_MAX_AGE,
    status=StatusRule.REQUIRED,
    trust=TrustSource.REGISTRY,
    holder_binding=False,
)
"""A verifier submits what a holder showed it: Key Binding to this verifier and to a nonce it
obtained minutes ago, single use, so that a presentation someone once saw cannot be replayed. A
replay answers 409 ``nonce_reused``."""

REQUEST_ANSWER: Final = replace(VERIFICATION_API, door="answer to a presentation request")
"""A person's wallet answers a verifier's request: the same proof the verifier would demand
itself, bound to the request's nonce, which the answer consumes."""

OPENID4VP_RESPONSE: Final = replace(
    VERIFICATION_API,
    door="POST /v1/verifiers/{slug}/openid4vp/response",
    audience=Audience.OPENID4VP_CLIENT,
)
"""Any wallet answers a request it fetched as a signed Request Object (OpenID4VP 1.0 §8.2,
``direct_post``, or §8.3.1 ``direct_post.jwt``, decrypted first): Key Binding required, its
``aud`` the Client Identifier with its prefix (a KB-JWT made for the https identifier of
:data:`REQUEST_ANSWER` fails here), its ``nonce`` the request's, single use. ``state`` names the
request; another verifier's, an expired or an answered one is refused and nothing is stored, and
so is a response not in the request's response mode. A response that is not verified, or does
not satisfy the DCQL query, is refused (400 ``invalid_request``) and stores nothing; a verified
one is stored as the request's outcome and consumes the nonce, so a replay is refused."""

SHARE_VIEW: Final = replace(
    VERIFICATION_API,
    door="GET /v1/shares/{token}",
    audience=Audience.SHARE,
    nonce=NonceUse.SHARE,
)
"""Someone opens an "anyone with the link" share: the wallet presents afresh for this view (only
the chosen Disclosures, a KB-JWT for the share's audience, a nonce made for this view, ``iat``
now), so the usual 5-minute age applies and a copied answer is no reusable proof. The status is
read at every view, so a revocation shows at once. A share for a verifier of this instance is
opened through :data:`VERIFICATION_API` with a nonce issued to that verifier."""

KEPT_ANSWER: Final = replace(
    REQUEST_ANSWER,
    door="verify a request's answer again",
    audience=Audience.RECORDED,
    nonce=NonceUse.RECORDED,
    max_kb_age=KEPT_ANSWER_MAX_AGE,
)
"""A verifier's staff verify a request's kept answer again, so that a revocation, an expiry or a
trust change since the answer shows. The presentations are the ones the person sent, with the
audience and the request's nonce they were verified for then; the issuer's signature, validity,
status and trust are checked as of now. The nonce was consumed by the answer and is not
consumed again, and nothing is stored. The Key Binding still proves that the holder answered
this request, so it may be up to a year old; a year after the answer, ask again."""

WALLET_RECEIPT: Final = DoorPolicy(
    door="wallet receipt and import",
    formats=frozenset({"dc+sd-jwt", "vc+jwt"}),
    key_binding=KeyBinding.REFUSED,
    audience=Audience.NONE,
    nonce=NonceUse.NONE,
    max_kb_age=None,
    status=StatusRule.REQUIRED,
    trust=TrustSource.REGISTRY,
    holder_binding=True,
)
"""A wallet receives or imports an issued credential: no Key Binding (RFC 9901 §7.2), but bound to
this wallet's key, so that no one can plant another person's credential in it. Each imported
credential is received again; a revoked or unverifiable one is never stored."""

CLI_PRESENTATION: Final = DoorPolicy(
    door="taito verify",
    formats=frozenset({"dc+sd-jwt", "vp+jwt"}),
    key_binding=KeyBinding.REQUIRED,
    audience=Audience.CALLER,
    nonce=NonceUse.CALLER,
    max_kb_age=KB_MAX_AGE,
    status=StatusRule.REQUIRED,
    trust=TrustSource.PINNED_KEY,
    holder_binding=False,
)
"""The command line verifies a presentation against the one issuer key the operator gives, with
Key Binding required as at every presentation door: a bare credential proves nothing about who
shows it. The status is read through the SSRF-safe fetcher; a list that cannot be reached is "not
checked" and a rejection, unless the operator says ``--offline``."""

CLI_CREDENTIAL: Final = replace(
    CLI_PRESENTATION,
    door="taito verify --no-key-binding",
    formats=frozenset({"dc+sd-jwt", "vc+jwt"}),
    key_binding=KeyBinding.OPTIONAL,
)
"""The command line checks an issued credential, as a holder checks what it received: no Key
Binding asked for, but a KB-JWT that is there is still verified."""

DOORS: Final[tuple[DoorPolicy, ...]] = (
    VERIFICATION_API,
    REQUEST_ANSWER,
    OPENID4VP_RESPONSE,
    SHARE_VIEW,
    KEPT_ANSWER,
    WALLET_RECEIPT,
    CLI_PRESENTATION,
    CLI_CREDENTIAL,
)
"""Every door, in the order ``docs/security.md`` lists them."""


def offline(policy: DoorPolicy) -> DoorPolicy:
    """``policy`` without the status check (``taito verify --offline``: no network at all)."""
    return replace(policy, door=f"{policy.door} --offline", status=StatusRule.SKIPPED)


def with_legacy_typ(policy: DoorPolicy) -> DoorPolicy:
    """``policy`` also accepting ``typ`` ``vc+sd-jwt`` (``--allow-legacy-typ``, older drafts)."""
    return replace(policy, accepted_typ=LEGACY_TYP)
