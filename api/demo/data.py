"""What the development demo holds: two issuers, two verifiers, two people and their credentials.

Every organisation and person here is made up ("Esimerkki" is Finnish for "example"); the skill
and occupation URIs are real ESCO concepts from the shipped vocabulary (``schemas/data``), so the
skills profile, skill search and "has skill X" requests work on them.
:mod:`api.flows.demo_seeding` creates them through the services; ``taito demo``
(:mod:`api.demo.command`) tells the story with them.
"""

from dataclasses import dataclass, field
from typing import Any, Final

ESCO: Final = "http://data.europa.eu/esco/skill/"
PYTHON: Final = ESCO + "ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL: Final = ESCO + "598de5b0-5b58-4ea7-8058-a4bc4d18c742"
CUSTOMER_SERVICE: Final = ESCO + "15a33d76-4640-438d-ae64-fdc0c1d3eebc"
JAVASCRIPT: Final = ESCO + "3cd569a2-4f88-4c1e-9995-8dce8c5e51a7"
WEB_PROGRAMMING: Final = ESCO + "69bbd53f-fbb0-4476-b4b2-ef7844464e28"
ICT_SUPPORT: Final = ESCO + "c2296e2e-5fef-4f24-a24f-e5b3792268be"
TEAMWORK: Final = ESCO + "60c78287-22eb-4103-9c8c-28deaa460da0"
ALGORITHMS: Final = ESCO + "54924a2c-daca-40d3-9716-4b38ceb04f38"
STATISTICS: Final = ESCO + "7ee4c2ea-b349-4bd2-81a3-ec31475d4833"
MACHINE_LEARNING: Final = ESCO + "3a2d5b45-56e4-4f5a-a55a-4a4a65afdc43"
DATA_ANALYTICS: Final = ESCO + "97bd1c21-66b2-4b7e-ad0f-e3cda590e378"
ENGLISH: Final = ESCO + "3993c87c-7719-4186-811b-8ddfb40e76be"
ICT_HELP_DESK_AGENT: Final = (
    "http://data.europa.eu/esco/occupation/aaeec9a7-dc57-4485-890c-86b3eef735f9"
)
DATA_ANALYST: Final = "http://data.europa.eu/esco/occupation/d3edb8f8-3a06-47a0-8fb9-9b212c006aa2"

COLLEGE: Final = "demo-college"
UNIVERSITY: Final = "demo-university"
EMPLOYER: Final = "demo-employer"
EMPLOYMENT_OFFICE: Final = "demo-employment-office"


@dataclass(frozen=True)
class OrganisationSpec:
    slug: str
    name: str
    role: str
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class CredentialSpec:
    issuer: str
    type: str
    claims: dict[str, Any]


@dataclass(frozen=True)
class PersonSpec:
    username: str
    name: str
    credentials: tuple[CredentialSpec, ...] = field(default=())


ISSUERS: Final = (
    OrganisationSpec(
        COLLEGE,
        "Esimerkkikaupungin ammattiopisto",
        "vocational college",
        ("qualification", "competence", "study_attainment", "prior_learning_recognition"),
    ),
    OrganisationSpec(
        UNIVERSITY,
        "Esimerkin yliopisto",
        "university; as an employer it also issues work certificates",
        (
            "qualification",
            "competence",
            "study_attainment",
            "prior_learning_recognition",
            "work_experience",
        ),
    ),
)
VERIFIERS: Final = (
    OrganisationSpec(EMPLOYER, "Rekrytalo Oy", "employer"),
    OrganisationSpec(
        EMPLOYMENT_OFFICE, "Esimerkkikaupungin työllisyyspalvelut", "public employment office"
    ),
)


def _skill(uri: str, label: str, level: str | None = None) -> dict[str, str]:
    return {"uri": uri, "label": label} | ({"level": level} if level else {})


def _person(given: str, family: str) -> dict[str, str]:
    return {"given_name": given, "family_name": family}


COLLEGE_BODY: Final = {"name": "Esimerkkikaupungin ammattiopisto", "country": "FI"}
UNIVERSITY_BODY: Final = {"name": "Esimerkin yliopisto", "country": "FI"}


def story_qualification(given: str, family: str) -> dict[str, Any]:
    """The vocational qualification of the ``taito demo`` story (EQF 4, Python, SQL, service)."""
    return {
        **_person(given, family),
        "title": "Tieto- ja viestintätekniikan perustutkinto",
        "kind": "vocational_upper_secondary",
        "eqf_level": 4,
        "nqf_level": 4,
        "qualification_code": "341101",
        "awarding_body": COLLEGE_BODY,
        "date_awarded": "2024-05-31",
        "credits": {"value": 180, "unit": "osaamispiste"},
        "grade": "Hyvä (3)",
        "skills": [
            _skill(PYTHON, "Python-ohjelmointi", "perustaso"),
            _skill(SQL, "SQL"),
            _skill(CUSTOMER_SERVICE, "asiakaspalvelu"),
        ],
    }


def competence(
    given: str, family: str, uri: str, label: str, level: str, assessor: str
) -> dict[str, Any]:
    """An assessed competence in one ESCO skill on the EQF scale."""
    return {
        **_person(given, family),
        "skill": _skill(uri, label),
        "proficiency": {"level": level, "scale": "eqf"},
        "assessment_method": "skills_demonstration",
        "assessor": {"name": assessor, "organisation": COLLEGE_BODY["name"]},
        "date": "2024-04-18",
    }


AINO: Final = PersonSpec(
    "aino.korhonen@example.fi",
    "Aino Korhonen",
    (
        CredentialSpec(COLLEGE, "qualification", story_qualification("Aino", "Korhonen")),
        CredentialSpec(
            COLLEGE,
            "competence",
            competence("Aino", "Korhonen", SQL, "SQL-kyselyt", "4", "Kari Virtanen"),
        ),
        CredentialSpec(
            COLLEGE,
            "study_attainment",
            {
                **_person("Aino", "Korhonen"),
                "course": {"name": "Verkkosivujen toteutus", "code": "TVT-204"},
                "credits": {"value": 15, "unit": "osaamispiste"},
                "grade": "Kiitettävä (5)",
                "date": "2023-12-15",
                "level": {"eqf_level": 4, "study_level": "basic"},
                "skills": [
                    _skill(WEB_PROGRAMMING, "verkko-ohjelmointi"),
                    _skill(JAVASCRIPT, "JavaScript"),
                ],
            },
        ),
        CredentialSpec(
            COLLEGE,
            "prior_learning_recognition",
            {
                **_person("Aino", "Korhonen"),
                "recognised": {
                    "description": "Kaupan alan työssä hankittu asiakaspalveluosaaminen.",
                    "source": "Myyjä, päivittäistavarakauppa 2019-2021",
                },
                "toward": {"name": "Asiakaspalvelu ja tuki", "code": "TVT-110", "kind": "module"},
                "credits_recognised": {"value": 20, "unit": "osaamispiste"},
                "decision_date": "2022-09-05",
                "recognising_institution": COLLEGE_BODY,
                "skills": [_skill(CUSTOMER_SERVICE, "asiakaspalvelu")],
            },
        ),
        CredentialSpec(
            UNIVERSITY,
            "work_experience",
            {
                **_person("Aino", "Korhonen"),
                "employer": {"name": "Esimerkin yliopisto"},
                "role": {"title": "IT-tukihenkilö", "esco_occupation": ICT_HELP_DESK_AGENT},
                "start_date": "2024-06-01",
                "end_date": "2024-08-31",
                "working_time": {"type": "full_time", "hours_per_week": 37.5},
                "tasks": ["Käyttäjätuki ja laitteiden käyttöönotto", "Tikettien käsittely"],
                "skills": [
                    _skill(ICT_SUPPORT, "ICT-tuki"),
                    _skill(CUSTOMER_SERVICE, "asiakaspalvelu"),
                    _skill(TEAMWORK, "tiimityö"),
                ],
            },
        ),
    ),
)

MIKKO: Final = PersonSpec(
    "mikko.nieminen@example.fi",
    "Mikko Nieminen",
    (
        CredentialSpec(
            UNIVERSITY,
            "qualification",
            {
                **_person("Mikko", "Nieminen"),
                "title": "Luonnontieteiden kandidaatti, tietojenkäsittelytiede",
                "kind": "bachelor",
                "eqf_level": 6,
                "nqf_level": 6,
                "awarding_body": UNIVERSITY_BODY,
                "date_awarded": "2023-06-15",
                "credits": {"value": 180, "unit": "ects"},
                "grade": "Hyvä",
                "skills": [
                    _skill(PYTHON, "Python"),
                    _skill(ALGORITHMS, "algoritmit"),
                    _skill(STATISTICS, "tilastotiede"),
                ],
            },
        ),
        CredentialSpec(
            UNIVERSITY,
            "study_attainment",
            {
                **_person("Mikko", "Nieminen"),
                "course": {"name": "Koneoppimisen perusteet", "code": "DATA-2001"},
                "credits": {"value": 5, "unit": "ects"},
                "grade": "5",
                "date": "2024-01-12",
                "level": {"eqf_level": 7, "study_level": "advanced"},
                "skills": [_skill(MACHINE_LEARNING, "koneoppiminen")],
            },
        ),
        CredentialSpec(
            UNIVERSITY,
            "work_experience",
            {
                **_person("Mikko", "Nieminen"),
                "employer": {"name": "Esimerkin yliopisto"},
                "role": {"title": "Tutkimusavustaja", "esco_occupation": DATA_ANALYST},
                "start_date": "2023-09-01",
                "working_time": {"type": "part_time", "hours_per_week": 20},
                "tasks": ["Aineistojen analysointi Pythonilla", "Tulosten visualisointi"],
                "skills": [
                    _skill(DATA_ANALYTICS, "data-analytiikka"),
                    _skill(PYTHON, "Python"),
                    _skill(TEAMWORK, "tiimityö"),
                ],
            },
        ),
        CredentialSpec(
            UNIVERSITY,
            "prior_learning_recognition",
            {
                **_person("Mikko", "Nieminen"),
                "recognised": {
                    "description": "Avoimessa yliopistossa suoritettu tilastotieteen opintojakso.",
                    "source": "Esimerkin avoin yliopisto 2020",
                },
                "toward": {
                    "name": "Tilastotieteen johdantokurssi",
                    "code": "TIL-100",
                    "kind": "course",
                },
                "credits_recognised": {"value": 5, "unit": "ects"},
                "decision_date": "2020-10-02",
                "recognising_institution": UNIVERSITY_BODY,
                "skills": [_skill(STATISTICS, "tilastotiede")],
            },
        ),
        CredentialSpec(
            COLLEGE,
            "competence",
            {
                **_person("Mikko", "Nieminen"),
                "skill": _skill(ENGLISH, "englannin kirjallinen viestintä"),
                "proficiency": {"level": "C1", "scale": "cefr"},
                "assessment_method": "exam",
                "date": "2022-05-20",
            },
        ),
    ),
)

PEOPLE: Final = (AINO, MIKKO)


@dataclass(frozen=True)
class StaffSpec:
    """A demo staff login: who works where, in which role."""

    username: str
    name: str
    organisation: str
    role: str


STAFF: Final = (
    StaffSpec("liisa@demo-college", "Liisa Lahtinen", COLLEGE, "issuer_staff"),
    StaffSpec("admin@demo-college", "Antti Aaltonen", COLLEGE, "organisation_admin"),
    StaffSpec("admin@demo-university", "Sari Salo", UNIVERSITY, "organisation_admin"),
    StaffSpec("rekry@demo-employer", "Pekka Rekola", EMPLOYER, "verifier_staff"),
    StaffSpec("admin@demo-employer", "Maria Mäkelä", EMPLOYER, "organisation_admin"),
    StaffSpec(
        "admin@demo-employment-office", "Jussi Järvinen", EMPLOYMENT_OFFICE, "organisation_admin"
    ),
)
