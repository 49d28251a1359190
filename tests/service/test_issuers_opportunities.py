"""Only educators publish learning opportunities, within a limit, and lookups by skill."""

import pytest
from sqlmodel import Session

from issuers.errors import NotAnEducator, OpportunityLimitReached
from issuers.opportunities import (
    OpportunitySpec,
    list_opportunities,
    opportunities_teaching,
    publish_opportunity,
)
from tests.service.test_issuers_support import NOW, make_issuer, new_kek

KEK = new_kek()

TICKETING = "http://data.europa.eu/esco/skill/6430eb0d-c6de-46b7-a7fc-3dd2e8e62a69"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
SPEC = OpportunitySpec(
    title="Tickets",
    provider="A college",
    description="",
    skills=(TICKETING,),
    eqf_level=None,
    duration="P2W",
    mode="online",
    language="fi",
    link="https://college.example/tickets",
)


def test_an_issuer_accredited_only_for_work_experience_cannot_publish_learning(
    session: Session,
) -> None:
    employer = make_issuer(session, KEK, types=["work_experience"]).account
    with pytest.raises(NotAnEducator):
        publish_opportunity(session, issuer=employer, spec=SPEC, now=NOW)
    assert list_opportunities(session, issuer_id=employer.id) == ()


def test_an_educator_publishes_at_most_the_limit_and_each_is_found_by_its_skills(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("issuers.opportunities.MAX_OPPORTUNITIES", 2)
    college = make_issuer(session, KEK, types=["study_attainment"]).account
    first = publish_opportunity(session, issuer=college, spec=SPEC, now=NOW)
    publish_opportunity(session, issuer=college, spec=SPEC, now=NOW)
    with pytest.raises(OpportunityLimitReached):
        publish_opportunity(session, issuer=college, spec=SPEC, now=NOW)
    found = {o.id for o in opportunities_teaching(session, skills=[TICKETING, SQL])}
    assert first.id in found
    assert not {o.id for o in opportunities_teaching(session, skills=[SQL])} & found
    assert opportunities_teaching(session, skills=[]) == ()
