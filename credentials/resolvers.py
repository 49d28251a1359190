"""Where a verifier's trusted issuer keys come from.

SD-JWT VC §2.5 ("Issuer Verification Key Discovery and Validation"; section numbers as in the copy
in shared/specs) leaves the mechanism to the ecosystem: JWT VC Issuer Metadata, DIDs, or keys
configured out of band. Taito models each as an :class:`IssuerKeyResolver`: a function the verifier
injects that, given the issuer identifier from the *signed* payload and the header ``kid``, returns
the one key it trusts or raises :class:`IssuerKeyUnresolved`. Nothing in a token's header (``jwk``,
``jku``, ``x5u``, ``x5c``) is ever consulted (docs/security.md, keys).
"""

from collections.abc import Iterable, Mapping
from typing import Protocol

from credentials.errors import IssuerKeyUnresolved
from credentials.keys import PublicKey


class IssuerKeyResolver(Protocol):
    """Return the trusted key of ``issuer`` named ``kid`` (``None`` when the token has none)."""

    def __call__(self, *, issuer: str, kid: str | None) -> PublicKey: ...


def pick_key(keys: Iterable[PublicKey], kid: str | None) -> PublicKey:
    """Choose from an issuer's trusted keys: by ``kid``, or the only key when there is no ``kid``.

    Raises :class:`IssuerKeyUnresolved` for an unknown ``kid`` or an ambiguous choice.
    """
    candidates = list(keys)
    if kid is not None:
        for key in candidates:
            if key.kid == kid:
                return key
        raise IssuerKeyUnresolved("the token's kid names no trusted key of the issuer")
    if len(candidates) == 1:
        return candidates[0]
    raise IssuerKeyUnresolved("the token names no kid and the issuer has several keys")


class PinnedKeys:
    """Keys configured out of band: ``{issuer identifier: [keys]}``."""

    def __init__(self, keys: Mapping[str, Iterable[PublicKey]]) -> None:
        self._keys = {issuer: tuple(found) for issuer, found in keys.items()}

    def __call__(self, *, issuer: str, kid: str | None) -> PublicKey:
        found = self._keys.get(issuer)
        if not found:
            raise IssuerKeyUnresolved("the issuer is not known")
        return pick_key(found, kid)


def pinned_key(key: PublicKey, *, issuer: str | None = None) -> IssuerKeyResolver:
    """A resolver trusting one key; for ``issuer`` only, or whatever issuer when ``None``.

    Used by the offline CLI (``taito verify --issuer-key``) where the operator names the key.
    When ``issuer`` is ``None`` the token's ``kid``, if any, is not required to match: the
    operator pinned this exact key.
    """

    def resolve(*, issuer: str, kid: str | None) -> PublicKey:
        if issuer_filter is not None and issuer != issuer_filter:
            raise IssuerKeyUnresolved("the issuer is not the one the key is pinned for")
        if issuer_filter is not None and kid is not None and kid != key.kid:
            raise IssuerKeyUnresolved("the token's kid names no trusted key of the issuer")
        return key

    issuer_filter = issuer
    return resolve
