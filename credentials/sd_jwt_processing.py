"""Processing the digests of an issuer-signed payload against Disclosures (RFC 9901 §7.1 step 3-5).

Used by the verifier and the holder alike, so both enforce the same rules, and fail closed:

- ``_sd`` is an array of well-formed digests; an array element with a ``...`` member has no other
  member and a well-formed digest (§4.2.4). A digest that matches no Disclosure is ignored (it is
  a decoy or an undisclosed claim) and its array element removed (§7.1 3.4).
- no digest appears twice, in objects, arrays or across them (§4.1, §7.1 step 4);
- a Disclosure is presented once (§4) and referenced exactly once (§7.1 step 5);
- an object-property Disclosure has three elements, an array-element Disclosure two, each used
  only in its own position (§7.1 3.3.2.1, 3.3.3.1);
- a disclosed name is not ``_sd`` or ``...`` (§7.1 3.3.2.2) and not already in its object
  (§7.1 3.3.2.3);
- ``_sd_alg`` only at the top level (§4.1.1) and ``...`` only in array elements;
- claims the caller names as plain (``plain_claims``, top level) are never disclosed, and their
  values carry no digest at all (SD-JWT VC §3.2.2.2: "including any of their sub-claims");
- nesting of the processed claims stays within :data:`~credentials.encoding.MAX_DEPTH`.
"""

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credentials.encoding import MAX_DEPTH, JSONValue
from credentials.errors import (
    DigestDuplicate,
    DisclosureDuplicate,
    DisclosureKindMismatch,
    DisclosureNameConflict,
    DisclosureNameInvalid,
    DisclosureUnreferenced,
    PlainClaimDisclosed,
    SDClaimLeft,
    SDClaimMalformed,
    TooDeep,
)
from credentials.sd_jwt import (
    ARRAY_KEY,
    SD_ALG_KEY,
    SD_KEY,
    ClaimPath,
    Disclosure,
    SDAlg,
    flatten_claims,
    format_claim_path,
    is_digest,
)


@dataclass(frozen=True)
class DisclosedClaim:
    """A Disclosure and the path of the claim it revealed in the processed payload."""

    path: ClaimPath
    disclosure: Disclosure


class DisclosedClaimsView:
    """How a verified SD-JWT's claims are shown (the CLI's report): shared by every result type."""

    claims: dict[str, Any]
    disclosures: tuple[DisclosedClaim, ...]

    @property
    def disclosed_paths(self) -> tuple[str, ...]:
        """Display paths (``address.country``) of the claims that came from Disclosures."""
        return tuple(format_claim_path(d.path) for d in self.disclosures)

    def rows(self) -> tuple[tuple[str, JSONValue], ...]:
        """Every leaf claim with its display path, in document order (for the CLI)."""
        return flatten_claims(self.claims)

    def claims_json(self) -> str:
        """The processed claims as indented JSON text (for the CLI)."""
        return json.dumps(self.claims, indent=2, ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class ProcessedPayload:
    """The Processed SD-JWT Payload (§7.1) and which Disclosure revealed which claim."""

    claims: dict[str, Any]
    disclosed: tuple[DisclosedClaim, ...]


def process_payload(
    payload: Mapping[str, JSONValue],
    disclosures: Sequence[Disclosure],
    *,
    sd_alg: SDAlg,
    plain_claims: Collection[str],
) -> ProcessedPayload:
    """Replace digests by the disclosed claims and drop the rest (RFC 9901 §7.1 step 3-5).

    ``payload`` is the (signature-checked) issuer-signed payload; ``sd_alg`` its ``_sd_alg``.
    Raises :class:`DisclosureDuplicate`, :class:`DigestDuplicate`, :class:`SDClaimMalformed`,
    :class:`DisclosureKindMismatch`, :class:`DisclosureNameInvalid`,
    :class:`DisclosureNameConflict`, :class:`PlainClaimDisclosed`, :class:`SDClaimLeft`,
    :class:`DisclosureUnreferenced` or :class:`TooDeep`.
    """
    by_digest: dict[str, Disclosure] = {}
    for disclosure in disclosures:
        key = disclosure.digest(sd_alg)
        if key in by_digest:
            raise DisclosureDuplicate("a Disclosure is presented more than once")
        by_digest[key] = disclosure
    walk = _Walk(by_digest, sd_alg, frozenset(plain_claims) | {SD_ALG_KEY})
    claims = walk.process_object(dict(payload), (), 0, plain=False)
    if len(walk.used) != len(by_digest):
        raise DisclosureUnreferenced("a Disclosure is not referenced by any digest")
    # In the order the Disclosures were presented.
    disclosed = tuple(DisclosedClaim(walk.used[key], d) for key, d in by_digest.items())
    return ProcessedPayload(claims=claims, disclosed=disclosed)


class _Walk:
    """One pass over the payload; ``used`` maps each matched digest to the path it revealed."""

    def __init__(self, by_digest: dict[str, Disclosure], sd_alg: SDAlg, plain: frozenset[str]):
        self.by_digest = by_digest
        self.sd_alg = sd_alg
        self.plain = plain
        self.seen: set[str] = set()
        self.used: dict[str, ClaimPath] = {}

    def process_value(
        self, value: JSONValue, path: ClaimPath, depth: int, *, plain: bool
    ) -> JSONValue:
        if isinstance(value, dict):
            return self.process_object(value, path, depth, plain=plain)
        if isinstance(value, list):
            return self.process_array(value, path, depth, plain=plain)
        return value

    def process_object(
        self, obj: dict[str, Any], path: ClaimPath, depth: int, *, plain: bool
    ) -> dict[str, Any]:
        self.check_depth(depth)
        top = not path
        if ARRAY_KEY in obj:
            raise SDClaimLeft("a ... member is only allowed in an array element")
        if SD_ALG_KEY in obj and not top:
            raise SDClaimLeft("_sd_alg is only allowed at the top level")
        result: dict[str, Any] = {}
        for name, item in obj.items():
            if name == SD_KEY or (top and name == SD_ALG_KEY):
                continue
            in_plain = plain or (top and name in self.plain)
            result[name] = self.process_value(item, (*path, name), depth + 1, plain=in_plain)
        if SD_KEY in obj:
            self.disclose_members(obj[SD_KEY], result, path, depth, plain=plain)
        return result

    def disclose_members(
        self, digests: object, result: dict[str, Any], path: ClaimPath, depth: int, *, plain: bool
    ) -> None:
        if not isinstance(digests, list) or not all(is_digest(d, self.sd_alg) for d in digests):
            raise SDClaimMalformed("_sd must be an array of digests")
        if plain:
            raise PlainClaimDisclosed("a claim that must stay plain has disclosable members")
        for key in digests:
            disclosure = self.match(key)
            if disclosure is None:
                continue
            name = disclosure.name
            if name is None:
                raise DisclosureKindMismatch("an array-element Disclosure is referenced from _sd")
            if name in (SD_KEY, ARRAY_KEY):
                raise DisclosureNameInvalid("a Disclosure names the reserved claim _sd or ...")
            if not path and name in self.plain:
                raise PlainClaimDisclosed(f"the claim {name} must not be selectively disclosable")
            if name == SD_ALG_KEY:
                raise SDClaimLeft("_sd_alg is only allowed at the top level")
            if name in result:
                raise DisclosureNameConflict("a disclosed claim name already exists in its object")
            self.used[key] = (*path, name)
            result[name] = self.process_value(
                disclosure.value, (*path, name), depth + 1, plain=False
            )

    def process_array(
        self, items: list[Any], path: ClaimPath, depth: int, *, plain: bool
    ) -> list[Any]:
        self.check_depth(depth)
        result: list[Any] = []
        for item in items:
            if not (isinstance(item, dict) and ARRAY_KEY in item):
                result.append(
                    self.process_value(item, (*path, len(result)), depth + 1, plain=plain)
                )
                continue
            if len(item) != 1 or not is_digest(item[ARRAY_KEY], self.sd_alg):
                raise SDClaimMalformed("a ... array element must hold exactly one digest")
            if plain:
                raise PlainClaimDisclosed("a claim that must stay plain has disclosable elements")
            disclosure = self.match(item[ARRAY_KEY])
            if disclosure is None:
                continue
            if disclosure.name is not None:
                raise DisclosureKindMismatch("an object-property Disclosure is used in an array")
            position = (*path, len(result))
            self.used[item[ARRAY_KEY]] = position
            result.append(self.process_value(disclosure.value, position, depth + 1, plain=False))
        return result

    def match(self, key: str) -> Disclosure | None:
        if key in self.seen:
            raise DigestDuplicate("a digest appears more than once in the SD-JWT")
        self.seen.add(key)
        return self.by_digest.get(key)

    @staticmethod
    def check_depth(depth: int) -> None:
        if depth >= MAX_DEPTH:
            raise TooDeep(f"the processed claims nest deeper than {MAX_DEPTH} levels")
