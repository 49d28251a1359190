"""Builders for the verifier tests: fixture issuers, credentials, presentations, status lists.

No tests here: the service and API tests of ``verifiers`` import these. Credentials are made with
the credential core (``issue_sd_jwt_vc``, ``create_presentation``, ``sign_status_list_token``),
keys are generated per test run, the clock is fixed, and status lists are served by an in-memory
fetcher.
"""

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from credentials.errors import FetchFailed
from credentials.keys import PrivateKey, generate_key
from credentials.sd_jwt_disclosable import mark_paths
from credentials.sd_jwt_holder import HolderBinding, create_presentation, open_sd_jwt
from credentials.sd_jwt_issuer import random_salt
from credentials.sd_jwt_vc import issue_sd_jwt_vc
from credentials.status_list import StatusList, sign_status_list_token
from schemas import skill_vocabulary, vct_for
from verifiers.fetching import DocumentCache, Fetched
from verifiers.issuer_trust import LocalIssuerInfo, Sources

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
BASE = "https://taito.test"
REMOTE_ISSUER = "https://school.example/issuers/omnia"
LOCAL_ISSUER = f"{BASE}/issuers/metropolia"
STATUS_URI = "https://school.example/status/1"
QUALIFICATION = vct_for("qualification", base_url=BASE)
COMPETENCE = vct_for("competence", base_url=BASE)
LIST_SIZE = 1024


def skill_uris(count: int) -> list[str]:
    """The first ``count`` skill URIs of the shipped ESCO vocabulary."""
    return [skill.uri for _, skill in zip(range(count), skill_vocabulary(), strict=False)]


def qualification_claims(
    *, eqf_level: int = 6, skills: Iterable[str] | None = None
) -> dict[str, Any]:
    chosen = list(skills) if skills is not None else skill_uris(2)
    return {
        "given_name": "Aino",
        "family_name": "Virtanen",
        "title": "Bachelor of Engineering, Information Technology",
        "kind": "bachelor",
        "eqf_level": eqf_level,
        "awarding_body": {"name": "Metropolia University of Applied Sciences"},
        "date_awarded": "2024-06-14",
        "skills": [{"uri": uri, "label": f"Skill {i}"} for i, uri in enumerate(chosen)],
    }


DISCLOSABLE = (
    "given_name",
    "family_name",
    "title",
    "kind",
    "eqf_level",
    "awarding_body",
    "date_awarded",
    "skills",
    "skills[*]",
)


class FakeFetcher:
    """An in-memory fetcher: ``documents[url]`` or ``FetchFailed``; counts calls per URL."""

    def __init__(self, *, max_age: timedelta | None = None) -> None:
        self.documents: dict[str, bytes] = {}
        self.calls: dict[str, int] = {}
        self.max_age = max_age

    def __call__(self, url: str) -> Fetched:
        self.calls[url] = self.calls.get(url, 0) + 1
        if url not in self.documents:
            raise FetchFailed("the document could not be retrieved")
        return Fetched(body=self.documents[url], max_age=self.max_age)


@dataclass
class FixtureIssuer:
    """An issuer with a key, a status list at ``status_uri`` and the fetcher serving it."""

    identifier: str
    key: PrivateKey
    fetcher: FakeFetcher
    status_uri: str = STATUS_URI
    statuses: dict[int, int] = field(default_factory=dict)
    next_index: int = 0
    ttl: int | None = None

    def publish(self, *, at: datetime = NOW) -> None:
        """Sign the current status list and serve it."""
        status_list = StatusList.empty(bits=2, size=LIST_SIZE).with_statuses(self.statuses)
        token = sign_status_list_token(
            status_list,
            key=self.key,
            sub=self.status_uri,
            iat=at - timedelta(minutes=1),
            exp=at + timedelta(days=1),
            ttl=self.ttl,
        )
        self.fetcher.documents[self.status_uri] = token.encode("ascii")

    def set_status(self, index: int, status: int, *, at: datetime = NOW) -> None:
        self.statuses[index] = status
        self.publish(at=at)

    def issue(
        self,
        holder: PrivateKey,
        *,
        vct: str = QUALIFICATION,
        claims: Mapping[str, Any] | None = None,
        issued_at: datetime = NOW - timedelta(days=1),
        expires_at: datetime | None = NOW + timedelta(days=365),
        with_status: bool = True,
    ) -> tuple[str, int]:
        """An SD-JWT VC (every top-level claim and skill disclosable) and its status index."""
        index = self.next_index
        self.next_index += 1
        issued = issue_sd_jwt_vc(
            mark_paths(dict(claims or qualification_claims()), DISCLOSABLE),
            issuer=self.identifier,
            vct=vct,
            issued_at=issued_at,
            issuer_key=self.key,
            salt=random_salt,
            holder_key=holder.public,
            expires_at=expires_at,
            status={"status_list": {"idx": index, "uri": self.status_uri}} if with_status else None,
            header={"kid": self.key.kid},
        )
        return issued.serialized, index


def unique(prefix: str) -> str:
    """``prefix`` with a random suffix: rows of one test never meet another test's."""
    return f"{prefix}-{secrets.token_hex(4)}"


def make_issuer(fetcher: FakeFetcher, *, identifier: str | None = None) -> FixtureIssuer:
    """A fixture issuer with its own identifier, key and published status list."""
    issuer = FixtureIssuer(
        identifier=identifier or unique(REMOTE_ISSUER),
        key=generate_key("ES256"),
        fetcher=fetcher,
        status_uri=unique(STATUS_URI),
    )
    issuer.publish()
    return issuer


def present(
    credential: str,
    holder: PrivateKey,
    *,
    disclose: Iterable[str],
    audience: str,
    nonce: str,
    at: datetime = NOW,
) -> str:
    """A presentation of ``credential`` disclosing ``disclose``, bound to ``audience``/``nonce``."""
    held = open_sd_jwt(credential)
    binding = HolderBinding(holder_key=holder, audience=audience, nonce=nonce, issued_at=at)
    return create_presentation(held, disclose=list(disclose), key_binding=binding).serialized


def local_info(issuer: FixtureIssuer, *, accredited: Iterable[str]) -> LocalIssuerInfo:
    return LocalIssuerInfo(
        identifier=issuer.identifier,
        display_name="Metropolia",
        accredited_vcts=frozenset(accredited),
        keys=(issuer.key.public,),
    )


def sources_for(
    fetcher: FakeFetcher,
    *,
    local: Iterable[LocalIssuerInfo] = (),
    cache: DocumentCache | None = None,
) -> Sources:
    by_id = {info.identifier: info for info in local}
    return Sources(fetch=fetcher, local_issuer=by_id.get, cache=cache or DocumentCache())


def pinned_entry_json(
    issuer: FixtureIssuer, *, vcts: Iterable[str], name: str = "Omnia"
) -> dict[str, Any]:
    return {
        "identifier": issuer.identifier,
        "display_name": name,
        "key_source": "pinned_jwk",
        "vct_values": list(vcts),
        "jwks": {"keys": [issuer.key.public.jwk]},
    }
