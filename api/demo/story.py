"""The story ``taito demo`` tells, step by step, through the HTTP API only.

A college issues a qualification and two assessed skills to a person; the person picks them up
into their wallet and sees their skills profile; an employer asks for a qualification at EQF
level 4 or higher with two specific ESCO skills; the person approves only part of what was asked;
the employer reads the report; the person also gives the employer a share link; the college
revokes the qualification; the employer opens the link again and sees why it now fails; the
person sees every view in their activity log.
"""

from typing import Any

from api.demo.data import PYTHON, SQL
from api.demo.narrator import Narrator
from api.demo.story_holding import (
    PERSON,
    Actors,
    Held,
    Person,
    expect,
    issue_and_receive,
    open_wallet,
)

__all__ = ["STEPS", "Actors", "tell_story"]

STEPS = 17


def tell_story(n: Narrator, actors: Actors) -> None:
    """Walk the whole story (see the module docstring); raises :class:`StoryFailed`."""
    person = open_wallet(n)
    held = issue_and_receive(n, actors, person)
    request = _employer_asks(n, actors)
    _person_answers(n, person, request, held)
    _employer_reads(n, actors, request)
    token = _share(n, actors, person, held, audience=request["audience"])
    _revoke_and_check_again(n, actors, held.register_id, token)
    _activity_and_login(n, person)


def _skill_query(query_id: str, uri: str) -> dict[str, Any]:
    return {
        "id": query_id,
        "type": "competence",
        "claims": [{"path": "skill.uri", "values": [uri]}, "proficiency"],
    }


def _employer_asks(n: Narrator, actors: Actors) -> dict[str, Any]:
    n.step(
        "the employer asks for a qualification at EQF level 4+ and two skills",
        "A presentation request in plain terms, expanded to DCQL (OpenID4VP): a qualification "
        "whose EQF level is 4 or higher (required; its title and grade are asked but optional), "
        "and for each of two ESCO skills, Python and SQL, an assessed competence. It gets a "
        "single-use nonce and the employer's audience; its link goes to the person.",
    )
    request = n.call(
        "POST",
        f"/v1/verifiers/{actors.employer}/requests",
        token=actors.employer_key,
        body={
            "credentials": [
                {
                    "id": "qualification",
                    "type": "qualification",
                    "claims": ["title", {"path": "eqf_level", "min": 4}, "grade"],
                },
                _skill_query("python", PYTHON),
                _skill_query("sql", SQL),
            ],
            "purpose": "Junior developer position: we check the qualification and two skills.",
            "expires_in": 900,
        },
        expect=201,
    )
    n.fact(f"request {request['id']}, nonce {request['nonce']}, audience {request['audience']}")
    n.fact(f"link for the person: {request['link']}")
    n.note("pasting this line creates another request, with a nonce of its own.")
    return dict(request)


def _person_answers(n: Narrator, person: Person, request: dict[str, Any], held: Held) -> None:
    given = PERSON[0]
    n.step(
        f"{given} opens the request in the wallet",
        "The wallet shows who asks, why, which claims, and which credentials can answer.",
    )
    shown = n.call("GET", f"/v1/wallet/requests/{request['id']}", token=person.token)
    wanted = {"qualification": held.qualification, "python": held.skills[PYTHON]}
    wanted["sql"] = held.skills[SQL]
    approvals = []
    for query in shown["queries"]:
        asked = ", ".join(
            str(a["label"] or a["path"]) + (f" (one of {a['values']})" if a["values"] else "")
            for a in query["asked"]
        )
        n.fact(f"{query['query_id']}: {asked}")
        credential = wanted[query["query_id"]]
        found = [c["credential_id"] for c in query["candidates"]]
        expect(credential in found, f"the wallet found no credential for {query['query_id']}")
        claim_ids = [a["id"] for a in query["asked"] if a["path"] != ["grade"]]
        approvals.append(
            {"query_id": query["query_id"], "credential_id": credential, "claim_ids": claim_ids}
        )

    n.step(
        f"{given} approves only part of it",
        "Everything but the grade: the wallet presents only the approved claims of the three "
        "credentials, each signed with the wallet's key for this employer and nonce.",
    )
    answer = n.call(
        "POST",
        f"/v1/wallet/requests/{request['id']}/response",
        token=person.token,
        body={"approvals": approvals},
    )
    expect(answer["outcome"]["verified"] is True, "the employer did not verify the answer")
    n.fact("the employer's gate says verified")
    n.note(
        "the nonce is single use: pasting this line again answers 410 "
        "verifier_request_expired (the request is answered), and a replay of the same "
        "presentation to POST /v1/verifications answers 409 nonce_reused."
    )


def _employer_reads(n: Narrator, actors: Actors, request: dict[str, Any]) -> None:
    n.step(
        "the employer reads the report",
        "One result per check of each presentation, the disclosed claims only, and the issuer.",
    )
    state = n.call(
        "GET",
        f"/v1/verifiers/{actors.employer}/requests/{request['id']}",
        token=actors.employer_key,
    )
    report = state["outcome"]
    n.fact(f"status {state['status']}, verified {report['verified']}")
    presentations = {p["query_id"]: p for p in report["presentations"]}
    for query_id, presentation in presentations.items():
        failed = [c["check"] for c in presentation["checks"] if c["outcome"] == "failed"]
        n.fact(
            f"{query_id}: {presentation['type_name']} from {presentation['issuer_name']}, "
            f"{len(presentation['checks'])} checks, failed: {', '.join(failed) or 'none'}"
        )
        for claim in presentation["labelled_claims"]:
            n.fact(f"  {claim['label']}: {claim['value']}")
    expect(report["verified"] is True, "the report is not verified")
    qualification = presentations["qualification"]["claims"]
    expect(set(qualification) == {"title", "eqf_level"}, "the report shows other claims")
    for query_id, uri in (("python", PYTHON), ("sql", SQL)):
        skill = presentations[query_id]["claims"].get("skill", {})
        expect(skill.get("uri") == uri, f"the report lacks the {query_id} skill")
    n.fact("the grade was not shared, so the report does not have it")


def _share(n: Narrator, actors: Actors, person: Person, held: Held, *, audience: str) -> str:
    given = PERSON[0]
    n.step(
        f"{given} also gives the employer a share link",
        "So the employer can check again later: the same claims, for this employer only, "
        "until the share expires or is withdrawn. The link is shown once.",
    )
    share = n.call(
        "POST",
        "/v1/wallet/shares",
        token=person.token,
        body={
            "credentials": [
                {"credential_id": held.qualification, "claims": [["title"], ["eqf_level"]]},
                *(
                    {"credential_id": held.skills[uri], "claims": [["skill"], ["proficiency"]]}
                    for uri in (PYTHON, SQL)
                ),
            ],
            "audience": audience,
            "purpose": "Junior developer position at the employer",
        },
        expect=201,
    )
    token = str(share["url"]).rsplit("/", 1)[1]
    n.fact(f"share {share['id']}, link {share['url']}")
    n.note("pasting this line creates another share with a link of its own.")

    n.step(
        "the employer opens the link",
        "Each view verifies the shared presentations live (status as of now) and is written "
        "into the person's activity log.",
    )
    viewed = n.call("GET", f"/v1/shares/{token}", token=actors.employer_key)
    expect(viewed["report"]["verified"] is True, "the shared claims did not verify")
    n.fact(f"verified {viewed['report']['verified']}, view number {viewed['views']}")
    return token


def _revoke_and_check_again(n: Narrator, actors: Actors, register_id: str, token: str) -> None:
    n.step(
        "the college revokes the qualification",
        "Revocation flips the credential's entry in the college's published status list. It "
        "is final.",
    )
    entry = n.call(
        "POST",
        f"/v1/issuers/{actors.college}/credentials/{register_id}/status",
        token=actors.college_key,
        body={"status": "revoked"},
    )
    n.fact(f"register entry {entry['id']}: {entry['status']} at {entry['status_changed_at']}")
    n.note("pasting this again changes nothing; reinstating a revoked credential is refused.")

    n.step(
        "the employer checks again",
        "The same share link, the same presentation: now the status check fails, with a reason "
        "in plain language (send Accept-Language: fi or sv for Finnish or Swedish).",
    )
    viewed = n.call("GET", f"/v1/shares/{token}", token=actors.employer_key)
    report = viewed["report"]
    expect(report["verified"] is False, "the revoked credential still verified")
    failed = []
    for presentation in report["presentations"]:
        checks = [c for c in presentation["checks"] if c["outcome"] == "failed"]
        failed += [c["code"] for c in checks]
        n.fact(f"{presentation['type_name']}: verified {presentation['verified']}")
        for check in checks:
            n.fact(f"  {check['check']} failed ({check['code']}): {check['reason']}")
    expect(failed == ["credential_revoked"], "the revocation is not the one failure")


def _activity_and_login(n: Narrator, person: Person) -> None:
    given = PERSON[0]
    n.step(
        f"{given} sees who looked",
        "The activity log lists what happened in the wallet, newest first: every view of a "
        "share, every answered request, every credential received.",
    )
    activity = n.call("GET", "/v1/wallet/activity", token=person.token)
    for entry in activity["entries"]:
        viewer = entry["details"].get("viewer")
        n.fact(entry["kind"] + (f" by {viewer}" if viewer else ""))
    views = [e for e in activity["entries"] if e["kind"] == "share_viewed"]
    expect(len(views) == 2, "the activity log does not show both views")

    n.step(
        f"{given} signs in again later",
        "Access tokens live 15 minutes. This line gives a fresh one; put it in place of the "
        "Bearer token in the wallet lines above to paste them later.",
    )
    n.call(
        "POST", "/v1/auth/login", body={"username": person.username, "password": person.password}
    )
