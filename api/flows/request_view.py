"""Open a request: a verifier's presentation request, matched against the person's credentials."""

from datetime import datetime

from sqlmodel import Session

from api.flows.ports import RequestSource
from wallet.request_answers import RequestMatch, match_request


def open_request(
    session: Session,
    *,
    holder_id: str,
    request_id: str,
    requests: RequestSource,
    kek: bytes,
    base_url: str,
    lang: str,
    now: datetime,
) -> RequestMatch:
    """Find the request (verifiers), then what each credential would reveal (wallet); reads only.

    Raises :class:`~wallet.errors.PresentationRequestNotFound` (404),
    :class:`~wallet.errors.PresentationRequestExpired` (410) and
    :class:`~credentials.errors.QueryInvalid` (422).
    """
    request = requests.find(session, request_id=request_id, now=now)
    return match_request(
        session,
        holder_id=holder_id,
        request=request,
        kek=kek,
        base_url=base_url,
        lang=lang,
        now=now,
    )
