"""Status lists of this instance's issuers, read unsigned from their state: only the issuer's own.

A credential's ``status`` may name any URL; a list of this instance answers for the credential
only when it belongs to the credential's issuer (a rogue local issuer cannot borrow another's
list), and a W3C entry only for the purpose of the list it names.
"""

from credentials.bitstring_status_list import build_bitstring_status_entry
from credentials.errors import FetchFailed
from credentials.keys import PublicKey
from credentials.status_list import StatusList, StatusType
from tests.service.test_verifiers_support import NOW, FakeFetcher
from verifiers.fetching import DocumentCache
from verifiers.status import (
    LocalStatusList,
    StatusContext,
    W3CPurpose,
    check_bitstring_status,
    check_token_status,
)

ISSUER = "https://taito.test/issuers/college"
LIST_URL = "https://taito.test/status/abc"


def _unused_key(*, issuer: str, kid: str | None) -> PublicKey:
    raise AssertionError("a list of this instance is read without any key")


def _context(found: LocalStatusList | None, *, issuer: str = ISSUER) -> StatusContext:
    fetcher = FakeFetcher()

    def local(url: str) -> LocalStatusList | None:
        if url != LIST_URL:
            return None
        if found is None:
            raise FetchFailed("no such list")
        return found

    return StatusContext(issuer, _unused_key, fetcher, DocumentCache(), NOW, local)


def _list(status: int, *, purpose: W3CPurpose | None = None) -> LocalStatusList:
    statuses = StatusList.empty(bits=2, size=1024).with_status(5, status)
    return LocalStatusList(
        frozenset({ISSUER, "did:web:taito.test:issuers:college"}), statuses, purpose
    )


def _token_status(context: StatusContext) -> str | None:
    return check_token_status({"status_list": {"idx": 5, "uri": LIST_URL}}, context).code


def test_the_issuers_own_revoked_entry_is_revoked() -> None:
    assert _token_status(_context(_list(StatusType.INVALID))) == "credential_revoked"
    assert _token_status(_context(_list(StatusType.SUSPENDED))) == "credential_suspended"
    assert _token_status(_context(_list(StatusType.VALID))) is None


def test_a_list_of_another_local_issuer_does_not_answer_for_the_credential() -> None:
    context = _context(_list(StatusType.VALID), issuer="https://taito.test/issuers/rogue")
    assert _token_status(context) == "status_list_invalid"


def test_a_url_of_ours_naming_no_list_is_unavailable() -> None:
    assert _token_status(_context(None)) == "status_unavailable"


def _bitstring(purpose: W3CPurpose, context: StatusContext) -> str | None:
    entry = build_bitstring_status_entry(
        status_list_credential=LIST_URL, index=5, status_purpose=purpose
    )
    return check_bitstring_status([entry], context).code


def test_a_w3c_entry_reads_the_bit_of_its_purpose() -> None:
    revoked = _list(StatusType.INVALID, purpose="revocation")
    assert _bitstring("revocation", _context(revoked)) == "credential_revoked"
    suspended_only = _list(StatusType.SUSPENDED, purpose="revocation")
    assert _bitstring("revocation", _context(suspended_only)) is None
    assert _bitstring("suspension", _context(revoked)) == "status_list_invalid"
