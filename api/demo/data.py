"""What the development demo holds: two issuers, two verifiers, two people and their credentials.

Every organisation and person here is made up ("Esimerkki" is Finnish for "example"); the skill
and occupation URIs are real ESCO concepts from the shipped vocabulary (``schemas/data``), so the
skills profile, skill search and "has skill X" requests work on them.
:mod:`api.flows.demo_seeding` creates them through the services; ``taito demo``
(:mod:`api.demo.command`) tells the story with them.
"""

from dataclasses import dataclass, field
from typing import Any, Final

from issuers.opportunities import Mode

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
SOLVE_ICT_PROBLEMS: Final = ESCO + "9e06bac6-6b91-48ca-8b7d-c1f48cdecd7c"
TICKETING: Final = ESCO + "6430eb0d-c6de-46b7-a7fc-3dd2e8e62a69"
SUPPORT_USERS: Final = ESCO + "db36f7f1-5900-45bd-9ffb-f2b19c4362ac"
PRIORITISE_REQUESTS: Final = ESCO + "f642d7ed-e8d7-4355-a747-b85094d4e2e3"
TASK_RECORDS: Final = ESCO + "43b13058-68d0-40c6-8031-caf5a7b7d20c"
ASSIST_CUSTOMERS: Final = ESCO + "61970f8b-099c-4e7e-82e0-9ccdced0baf3"
COMMUNICATE_WITH_CUSTOMERS: Final = ESCO + "0da516ee-e70e-4384-be13-f5ff80be8127"
CUSTOMER_NEEDS: Final = ESCO + "68698869-c13c-4563-adc7-118b7644f45d"
USE_DATABASES: Final = ESCO + "4463a721-69f3-413d-8321-43e3af13a4f1"
QUERY_LANGUAGES: Final = ESCO + "9cf681c7-89ec-470c-b651-7fe03786f586"
DATA_MINING: Final = ESCO + "25f0ea33-b4a2-4f31-b7b4-7d20e827b180"
DATA_CLEANSING: Final = ESCO + "50b100ea-74fd-4706-99db-3e4ca55e51b8"
STATISTICAL_ANALYSIS: Final = ESCO + "382c11ed-20d5-4ae7-b60e-15fec527fa6c"
VISUAL_PRESENTATION: Final = ESCO + "348b74cd-49ce-4844-8bdf-ec188b497213"
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
    guidance: bool = False


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
        EMPLOYMENT_OFFICE,
        "Esimerkkikaupungin työllisyyspalvelut",
        "public employment office",
        guidance=True,
    ),
)


@dataclass(frozen=True)
class OpportunityDemo:
    """A learning opportunity an educator of the demo publishes (see ``OPPORTUNITIES``)."""

    issuer: str
    title: str
    description: str
    skills: tuple[str, ...]
    eqf_level: int
    duration: str
    mode: Mode
    language: str
    link: str


OPPORTUNITIES: Final = (
    OpportunityDemo(
        COLLEGE,
        "IT-tukihenkilön osaamisala",
        "Käyttäjätuki, vianetsintä ja tikettien käsittely työpaikalla ja oppilaitoksessa.",
        (SOLVE_ICT_PROBLEMS, TICKETING, SUPPORT_USERS, PRIORITISE_REQUESTS, TASK_RECORDS),
        4,
        "P26W",
        "blended",
        "fi",
        "https://ammattiopisto.example.fi/koulutus/it-tuki",
    ),
    OpportunityDemo(
        COLLEGE,
        "Asiakaspalvelun perusteet",
        "Asiakkaan tarpeiden tunnistaminen ja palveleminen kasvokkain ja verkossa.",
        (ASSIST_CUSTOMERS, COMMUNICATE_WITH_CUSTOMERS, CUSTOMER_NEEDS),
        3,
        "P8W",
        "in_person",
        "fi",
        "https://ammattiopisto.example.fi/koulutus/asiakaspalvelu",
    ),
    OpportunityDemo(
        COLLEGE,
        "Tietokannat ja SQL",
        "Relaatiotietokannat ja kyselykielet käytännön harjoituksin.",
        (USE_DATABASES, QUERY_LANGUAGES),
        4,
        "P10W",
        "online",
        "fi",
        "https://ammattiopisto.example.fi/koulutus/sql",
    ),
    OpportunityDemo(
        UNIVERSITY,
        "Introduction to data analytics (open university)",
        "Data mining, cleansing, statistical analysis and visual presentation with Python.",
        (DATA_MINING, DATA_CLEANSING, STATISTICAL_ANALYSIS, VISUAL_PRESENTATION),
        6,
        "P12W",
        "online",
        "en",
        "https://yliopisto.example.fi/avoin/data-analytics",
    ),
    OpportunityDemo(
        UNIVERSITY,
        "Ärendehanteringssystem i IT-stöd",
        "En kort kurs i ärendehanteringssystem för IT-stöd.",
        (TICKETING,),
        5,
        "P2W",
        "online",
        "sv",
        "https://yliopisto.example.fi/avoin/arendehantering",
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

    @property
    def platform_admin(self) -> bool:
        """A platform admin works for no organisation: the role is the account's flag."""
        return self.role == PLATFORM_ADMIN


PLATFORM_ADMIN: Final = "platform_admin"

STAFF: Final = (
    StaffSpec("liisa@demo-college", "Liisa Lahtinen", COLLEGE, "issuer_staff"),
    StaffSpec("admin@demo-college", "Antti Aaltonen", COLLEGE, "organisation_admin"),
    StaffSpec("admin@demo-university", "Sari Salo", UNIVERSITY, "organisation_admin"),
    StaffSpec("rekry@demo-employer", "Pekka Rekola", EMPLOYER, "verifier_staff"),
    StaffSpec("admin@demo-employer", "Maria Mäkelä", EMPLOYER, "organisation_admin"),
    StaffSpec(
        "admin@demo-employment-office", "Jussi Järvinen", EMPLOYMENT_OFFICE, "organisation_admin"
    ),
    StaffSpec(
        "ohjaaja@demo-employment-office", "Outi Ohjaaja", EMPLOYMENT_OFFICE, "verifier_staff"
    ),
    # The trust registry's pages (/platform/trust); no organisation of its own.
    StaffSpec("platform@demo", "Paula Pääkkönen", "", PLATFORM_ADMIN),
)
