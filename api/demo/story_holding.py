"""The first half of the ``taito demo`` story: a person opens a wallet, a college issues to it.

The person registers, reads the key their credentials are bound to, and receives a
qualification (by its one-time pickup code) and two assessed skills (handed over as they are);
then sees their skills profile. See :mod:`api.demo.story` for the whole story.
"""

import secrets
from dataclasses import dataclass

from api.demo.data import PYTHON, SQL, competence, story_qualification
from api.demo.narrator import Narrator, StoryFailed

PERSON = ("Elina", "Mäkinen")


@dataclass(frozen=True)
class Actors:
    """The college (an issuer) and the employer (a verifier) the story uses, with API keys."""

    college: str
    college_key: str
    employer: str
    employer_key: str


def expect(condition: bool, what: str) -> None:
    """Stop the story when a fact is not as it should be."""
    if not condition:
        raise StoryFailed(what)


@dataclass(frozen=True)
class Person:
    """The story's person: their login and current access token."""

    username: str
    password: str
    token: str


@dataclass(frozen=True)
class Held:
    """What the person holds: wallet ids of the qualification and of each skill's competence."""

    qualification: str
    skills: dict[str, str]
    register_id: str


def open_wallet(n: Narrator) -> Person:
    """Register a new person (a fresh username each run) and return their login."""
    given, family = PERSON
    username = f"elina.{secrets.token_hex(3)}@example.fi"
    password = "demo-" + secrets.token_urlsafe(12)
    n.step(
        f"{given} {family} opens a wallet",
        "A wallet is an account with a key pair of its own. Registering answers an access token "
        "(15 minutes) and a refresh token; the wallet's key is created on the server and kept "
        "encrypted.",
    )
    tokens = n.call(
        "POST",
        "/v1/auth/register",
        body={"username": username, "password": password},
        expect=201,
    )
    n.fact(f"username {username}, access token {tokens['access_token'][:12]}...")
    n.note(
        "pasting this line again answers 409 username_taken; wallet lines below stop working "
        "when the access token expires (the last step shows how to sign in again)."
    )
    return Person(username, password, tokens["access_token"])


def issue_and_receive(n: Narrator, actors: Actors, person: Person) -> Held:
    """The college issues, the person receives and sees the skills profile."""
    n.step(
        "the wallet shows the key credentials are bound to",
        "An issuer binds each credential to the holder's public key, so only this wallet can "
        "present it later (the verifier checks a signature by that key).",
    )
    binding = n.call("GET", "/v1/wallet/binding", token=person.token)
    n.fact(f"{binding['alg']} key, also known as {binding['did'][:40]}...")

    given, family = PERSON
    claims = story_qualification(given, family)
    n.step(
        "the college issues a qualification",
        "The college signs an SD-JWT VC: each claim is selectively disclosable, so the person "
        "can later show single claims. It carries a status list entry the college can flip.",
    )
    key = f"demo-{secrets.token_hex(6)}"
    issued = n.call(
        "POST",
        f"/v1/issuers/{actors.college}/credentials",
        token=actors.college_key,
        headers={"Idempotency-Key": key + "-qualification"},
        body={"type": "qualification", "claims": claims, "holder": {"jwk": binding["jwk"]}},
        expect=201,
    )
    n.fact(f"credential {issued['id']}, {issued['format']}, type {issued['vct']}")
    n.fact(f"status list entry {issued['status']['idx']} of {issued['status']['uri']}")
    n.fact(f"one-time pickup code for the person: {issued['pickup_code']}")
    n.note("the same Idempotency-Key replays the same answer: pasting issues nothing new.")

    n.step(
        "the college issues two assessed skills in one batch",
        "Competence credentials: one ESCO skill each, with a level on the EQF scale.",
    )
    assessed = [(PYTHON, "Python-ohjelmointi"), (SQL, "SQL-kyselyt")]
    batch = n.call(
        "POST",
        f"/v1/issuers/{actors.college}/credentials/batch",
        token=actors.college_key,
        headers={"Idempotency-Key": key + "-skills"},
        body={
            "items": [
                {
                    "type": "competence",
                    "claims": competence(given, family, uri, label, "4", "Kari Virtanen"),
                    "holder": {"jwk": binding["jwk"]},
                }
                for uri, label in assessed
            ]
        },
    )
    expect(batch["issued"] == 2, "the batch did not issue both skills")
    n.fact(f"issued {batch['issued']}, failed {batch['failed']}")
    n.note("a batch is idempotent as a whole: pasting replays the same two credentials.")

    n.step(
        f"{given} picks up the qualification with the code",
        "The wallet verifies what it receives through the same gate verifiers use (signature, "
        "trusted issuer, validity, status, bound to this wallet's key) before storing it.",
    )
    picked = n.call(
        "POST",
        "/v1/wallet/pickup",
        token=person.token,
        body={"code": issued["pickup_code"]},
        expect=201,
    )
    n.fact(f"stored as {picked['id']}: {picked['title']} from {picked['issuer_name']}")
    n.note("a pickup code is single use: pasting this line again answers 410 pickup_code_used.")

    n.step(
        f"{given} receives the two skills",
        "A credential can also be handed over as is: the wallet checks it the same way.",
    )
    skills: dict[str, str] = {}
    for (uri, _), item in zip(assessed, batch["items"], strict=True):
        got = n.call(
            "POST",
            "/v1/wallet/credentials",
            token=person.token,
            body={"credential": item["credential"]["credential"]},
            expect=201,
        )
        n.fact(f"stored as {got['id']}: {got['type_name']}, {got['title'] or uri}")
        skills[uri] = got["id"]
    n.note("pasting one of these again answers 409 credential_duplicate.")

    n.step(
        f"{given} sees the skills profile",
        "Every skill from every credential, by ESCO URI, with the credentials that attest it "
        "and the best assessed level.",
    )
    profile = n.call("GET", "/v1/wallet/profile?lang=en", token=person.token)
    for skill in profile["skills"]:
        level = skill["best_level"]
        shown = f", level {level['level']} ({level['scale']})" if level else ""
        mark = "verified" if skill["verified"] else "self-declared"
        n.fact(f"{skill['label']}: {mark}, {len(skill['attested_by'])} credential(s){shown}")
    uris = {skill["uri"] for skill in profile["skills"]}
    expect({PYTHON, SQL} <= uris, "the profile lacks the issued skills")
    return Held(qualification=picked["id"], skills=skills, register_id=issued["id"])
