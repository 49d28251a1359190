"""Issuing from a spreadsheet in the organisation pages: template, upload, check, issue, results.

The story: 200 people, 3 of them with a problem (a missing required name, an EQF level 9, a
skill that is not in ESCO): the check names exactly those rows and columns and issues nothing;
issuing makes 197 pickup offers; the results file has a line for each of the 200 rows. Then
what spreadsheet programs write (semicolons, a byte order mark, CRLF, Windows-1252), files that
are refused as a whole, and who may see which page.
"""

import csv
import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select, update

from issuers import batches
from issuers.batches import issue_batch_rows, purge_expired_batches, start_issuing
from issuers.errors import TypeNotAccredited
from issuers.offers import create_offer
from issuers.organisations import create_issuer, get_issuer, set_issuer_disabled
from issuers.tables import IssuerBatch, IssuerOffer
from tests.api.web_support import Visitor, csrf_of, receive
from tests.service.test_wallet_support import FAST_HASHING
from verifiers.organisations import create_verifier
from wallet.staff import create_staff_account

PASSWORD = "kevätlukukausi alkaa pian"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def NOW_REAL() -> datetime:  # noqa: N802 - the wall clock, as the pages use it
    return datetime.now(UTC)


PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
NOT_ESCO = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000000"
HEADER = [
    "given_name",
    "family_name",
    "title",
    "kind",
    "eqf_level",
    "awarding_body.name",
    "date_awarded",
    "skills",
]


@dataclass
class Place:
    engine: Engine
    college_id: str


@pytest.fixture
def place(clean_engine: Engine, client: TestClient) -> Place:
    kek = client.app.state.kek  # type: ignore[attr-defined]
    with Session(clean_engine, expire_on_commit=False) as session:
        college = create_issuer(
            session,
            name="Esimerkkiopisto",
            slug="college",
            types=["qualification", "study_attainment"],
            alg="EdDSA",
            kek=kek,
            now=NOW,
        )
        create_issuer(
            session,
            name="Toinen opisto",
            slug="other",
            types=["qualification"],
            alg="EdDSA",
            kek=kek,
            now=NOW,
        )
        create_verifier(
            session, slug="employer", name="Rekrytalo Oy", base_url="https://taito.test", now=NOW
        )
        for username, organisation, role in (
            ("clerk.college", "college", "issuer_staff"),
            ("second.clerk", "college", "issuer_staff"),
            ("checker.college", "college", "verifier_staff"),
            ("clerk.other", "other", "issuer_staff"),
        ):
            create_staff_account(
                session,
                username=username,
                password=PASSWORD,
                name=username.title(),
                hashing=FAST_HASHING,
                now=NOW,
                organisation=organisation,
                role=role,
            )
    return Place(clean_engine, college.account.id)


def _visitor(client: TestClient) -> Iterator[Visitor]:
    with TestClient(client.app, base_url="https://taito.test") as fresh:
        yield Visitor(fresh)


@pytest.fixture
def clerk(client: TestClient, place: Place) -> Iterator[Visitor]:
    for visitor in _visitor(client):
        sign_in(visitor, "clerk.college")
        yield visitor


def sign_in(visitor: Visitor, username: str) -> None:
    visitor.submit("/org/login", "/org/login", {"username": username, "password": PASSWORD}, 303)


def person(number: int) -> list[str]:
    return [
        f"Opiskelija{number}",
        "Virtanen",
        "Tieto- ja viestintätekniikan perustutkinto",
        "vocational_upper_secondary",
        "4",
        "Esimerkkiopisto",
        "31.5.2026",
        f"{PYTHON}; {SQL}",
    ]


def spreadsheet(
    rows: list[list[str]], *, delimiter: str = ";", bom: bool = True, header: list[str] = HEADER
) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def two_hundred_with_three_bad() -> bytes:
    rows = [person(n) for n in range(1, 201)]
    rows[9][0] = ""  # spreadsheet row 11: no given name
    rows[49][4] = "9"  # row 51: EQF level 9
    rows[149][7] = f"{PYTHON}; {NOT_ESCO}"  # row 151: the second skill is not in ESCO
    return spreadsheet(rows)


def upload(
    visitor: Visitor, data: bytes, *, kind: str = "qualification", name: str = "luokka.csv"
) -> Response:
    token = csrf_of(visitor.page(f"/org/college/batch?type={kind}").text)
    response: Response = visitor.client.post(
        "/org/college/batch",
        data={"csrf_token": token, "type": kind},
        files={"file": (name, data, "text/csv")},
        follow_redirects=False,
    )
    return response


def batch_path(response: Response) -> str:
    assert response.status_code == 303, response.text[:2000]
    location: str = response.headers["location"]
    assert re.fullmatch(r"/org/college/batch/bat_[0-9a-f]{32}", location)
    return location


def offers(place: Place) -> int:
    with Session(place.engine) as session:
        return int(
            session.exec(
                select(func.count())
                .select_from(IssuerOffer)
                .where(col(IssuerOffer.issuer_id) == place.college_id)
            ).one()
        )


def problem_rows(html: str) -> list[tuple[str, str, str]]:
    cells = re.findall(
        r'<tr><td class="number">(\d+)</td><td class="column">([^<]*)'
        r"(?:<br><code>([^<]*)</code>)?</td><td>([^<]*)</td></tr>",
        html,
    )
    return [(row, f"{label} ({name})", text) for row, label, name, text in cells]


def test_the_template_has_a_column_per_claim_an_example_row_and_a_byte_order_mark(
    clerk: Visitor,
) -> None:
    template = clerk.client.get(
        "/org/college/batch/template?type=qualification", headers={"accept-language": "fi"}
    )
    assert template.headers["content-type"] == "text/csv; charset=utf-8"
    assert template.content.startswith("\ufeff".encode())
    lines = template.content.decode("utf-8-sig").split("\r\n")
    header = lines[0].split(";")
    assert header[:3] == ["given_name", "family_name", "birth_date"]
    assert {"awarding_body.name", "credits.value", "learning_outcomes", "skills"} <= set(header)
    assert lines[1].startswith("# Maija Helena;Virtanen;")  # the example, skipped on upload
    guide = clerk.page("/org/college/batch?type=qualification").text
    assert "Tutkinnon nimi" not in guide and "Qualification title<br><code>title</code>" in guide
    assert "Awarding body: Name<br><code>awarding_body.name</code>" in guide
    assert 'href="/org/college/batch/template?type=qualification"' in guide
    english = clerk.page("/org/college/batch/template?type=qualification")
    assert english.content.decode("utf-8-sig").split("\r\n")[0].startswith("given_name,")


def test_the_filled_template_itself_passes_the_check_with_its_example_skipped(
    clerk: Visitor,
) -> None:
    template = clerk.page("/org/college/batch/template?type=qualification").content
    lines = template.decode("utf-8-sig").split("\r\n")
    example = lines[1].removeprefix("# ")
    data = ("\ufeff" + lines[0] + "\r\n" + lines[1] + "\r\n" + example + "\r\n").encode()
    preview = clerk.page(batch_path(upload(clerk, data)))
    assert (
        "1 row is ready to be issued." in preview.text
        and "Problems in the file" not in preview.text
    )


def test_two_hundred_rows_with_three_bad_ones_preview_then_issue_the_other_197(
    clerk: Visitor, place: Place, client: TestClient
) -> None:
    path = batch_path(upload(clerk, two_hundred_with_three_bad()))
    preview = clerk.page(path)
    assert "The file has 200 people." in preview.text
    assert "197 rows are ready to be issued." in preview.text
    assert "3 rows have problems and will not be issued." in preview.text
    assert problem_rows(preview.text) == [
        ("11", "Given names (given_name)", "Fill this in: it is required."),
        ("51", "EQF level (eqf_level)", "The number must be at most 8."),
        (
            "151",
            "Skills (skills)",
            "Item 2: This is not an ESCO skill. Write the skill&#39;s ESCO address (URI) or "
            "its exact ESCO name.",
        ),
    ]
    assert offers(place) == 0  # nothing issued before the staff member says so

    token = csrf_of(preview.text)
    started = time.perf_counter()
    issued = clerk.client.post(f"{path}/issue", data={"csrf_token": token}, follow_redirects=False)
    elapsed = time.perf_counter() - started
    assert issued.status_code == 303 and issued.headers["location"] == path
    print(f"issuing 197 offers took {elapsed:.2f} s")
    assert offers(place) == 197
    done = clerk.page(path)
    assert "197 credentials were issued as pickup offers." in done.text
    assert "Update the progress" not in done.text

    results = clerk.page(f"{path}/results")
    assert results.headers["content-type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(results.content.decode("utf-8-sig"))))
    assert lines[0][0] == "row" and len(lines) == 201
    rows = {line[0]: line for line in lines[1:]}
    assert sorted(int(number) for number in rows) == list(range(2, 202))
    for number in ("11", "51", "151"):
        assert rows[number][4] == "" and "Not issued" in rows[number][6]
    good = [line for line in lines[1:] if line[0] not in ("11", "51", "151")]
    assert all(
        re.fullmatch(r"(\w{4}-){4}\w{4}", line[4]) and line[3].startswith("ofr_") for line in good
    )
    assert all(line[6] == "" for line in good)
    assert rows["2"][1:3] == ["Opiskelija1", "Virtanen"]
    assert len({line[4] for line in good}) == 197

    # A person takes their credential into their wallet with the code from the results.
    for maija in _visitor(client):
        maija.register("opiskelija1@example.fi")
        credential_id = receive(maija, rows["2"][4])
        assert "Opiskelija1" in maija.page(f"/wallet/credentials/{credential_id}").text

    # Issuing again (a second click) makes nothing more.
    again = clerk.client.post(f"{path}/issue", data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303 and offers(place) == 197


def test_the_preview_speaks_the_page_language(clerk: Visitor) -> None:
    path = batch_path(upload(clerk, two_hundred_with_three_bad()))
    finnish = clerk.client.get(path, headers={"accept-language": "fi"}).text
    assert ("11", "Etunimet (given_name)", "Täytä tämä: se on pakollinen.") in problem_rows(finnish)
    swedish = clerk.client.get(path, headers={"accept-language": "sv"}).text
    assert ("51", "EQF-nivå (eqf_level)", "Talet får vara högst 8.") in problem_rows(swedish)


def test_finnish_excel_files_are_read_semicolons_bom_crlf_finnish_dates_and_windows_1252(
    clerk: Visitor,
) -> None:
    rows = [person(1), person(2)]
    rows[1][0] = "Äijä-Åsa"
    for data in (
        spreadsheet(rows),
        spreadsheet(rows, delimiter=",", bom=False),
        spreadsheet(rows, delimiter="\t"),
        spreadsheet(rows, bom=False).decode("utf-8").encode("cp1252"),
        spreadsheet(rows).replace(b"\r\n", b"\n"),
    ):
        preview = clerk.page(batch_path(upload(clerk, data)))
        assert "2 rows are ready to be issued." in preview.text, preview.text
    path = batch_path(upload(clerk, spreadsheet(rows)))
    clerk.submit(path, f"{path}/issue", {}, 303)
    results = clerk.page(f"{path}/results").content.decode("utf-8-sig")
    assert "Äijä-Åsa" in results and len(results.splitlines()) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (spreadsheet([]), "The file has no people in it"),
        (
            spreadsheet([person(1)], header=[*HEADER[:-1], "taidot"]),
            "The first row has columns this type does not have: taidot.",
        ),
        (
            spreadsheet([person(1)[1:]], header=HEADER[1:]),
            "The first row lacks required columns: given_name.",
        ),
        (spreadsheet([person(1)], header=[*HEADER[:-1], "title"]), "the same column twice: title"),
        (spreadsheet([[*person(1), "extra"]]), "Row 2 has more cells than the first row"),
        (spreadsheet([person(n) for n in range(1001)]), "more than 1,000 people"),
        (b"given_name;family_name\r\n" + b"x" * (2 * 1024 * 1024), "The file is too big"),
        (b'given_name;family_name;title\r\n"unclosed;x;y\r\n', "could not be read as CSV"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_at_the_field_and_nothing_is_kept(
    clerk: Visitor, place: Place, data: bytes, message: str
) -> None:
    refused = upload(clerk, data)
    assert refused.status_code == 422
    assert 'id="file-error"' in refused.text and message in refused.text
    with Session(place.engine) as session:
        assert session.exec(select(IssuerBatch)).first() is None


def test_an_upload_without_a_file_or_type_is_refused(clerk: Visitor, place: Place) -> None:
    token = csrf_of(clerk.page("/org/college/batch").text)
    no_file = clerk.client.post(
        "/org/college/batch", data={"csrf_token": token, "type": "qualification"}
    )
    assert no_file.status_code == 422 and "Choose the file to upload." in no_file.text
    no_type = clerk.client.post(
        "/org/college/batch",
        data={"csrf_token": token, "type": "work_experience"},
        files={"file": ("a.csv", spreadsheet([person(1)]), "text/csv")},
    )
    assert no_type.status_code == 422 and "Choose the type of the credentials" in no_type.text
    assert clerk.client.get("/org/college/batch/template?type=work_experience").status_code == 404


def test_a_batch_is_seen_only_by_who_uploaded_it_and_expired_ones_are_purged(
    clerk: Visitor, place: Place, client: TestClient
) -> None:
    path = batch_path(upload(clerk, spreadsheet([person(1)])))
    for colleague in _visitor(client):
        sign_in(colleague, "second.clerk")
        assert colleague.client.get(path).status_code == 404
        assert colleague.client.get(f"{path}/results").status_code == 404
        token = csrf_of(colleague.page("/org/college/batch").text)
        refused = colleague.client.post(f"{path}/issue", data={"csrf_token": token})
        assert refused.status_code == 404
    assert offers(place) == 0
    with Session(place.engine) as session:
        assert purge_expired_batches(session, now=datetime.now(UTC)) == 0
        assert purge_expired_batches(session, now=datetime.now(UTC) + timedelta(days=2)) == 1
    assert clerk.client.get(path).status_code == 404


def _pages(path: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/org/college/batch"),
        ("GET", "/org/college/batch?type=qualification"),
        ("GET", "/org/college/batch/template?type=qualification"),
        ("POST", "/org/college/batch"),
        ("GET", path),
        ("POST", f"{path}/issue"),
        ("GET", f"{path}/results"),
    ]


def _ask(visitor: Visitor, method: str, path: str) -> int:
    if method == "GET":
        response = visitor.client.get(path, follow_redirects=False)
    else:
        token = csrf_of(visitor.client.get("/login").text)
        response = visitor.client.post(
            path,
            data={"csrf_token": token, "type": "qualification"},
            files={"file": ("a.csv", spreadsheet([person(1)]), "text/csv")},
            follow_redirects=False,
        )
    if response.status_code in (403, 404):
        assert "Esimerkkiopisto" not in response.text and "Opiskelija1" not in response.text
    return int(response.status_code)


def _state(place: Place) -> tuple[int, tuple[tuple[str, str, int], ...]]:
    with Session(place.engine) as session:
        batches = tuple(
            (b.id, b.state, b.rows_done) for b in session.exec(select(IssuerBatch)).all()
        )
    return offers(place), batches


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 303), ("clerk.other", 404), ("checker.college", 403)],
)
def test_every_batch_page_refuses_those_without_the_right_and_changes_nothing(
    clerk: Visitor, place: Place, client: TestClient, who: str | None, expected: int
) -> None:
    path = batch_path(upload(clerk, spreadsheet([person(1)])))
    before = _state(place)
    for visitor in _visitor(client):
        if who is not None:
            sign_in(visitor, who)
        for method, page in _pages(path):
            status = _ask(visitor, method, page)
            assert status == expected, (who, method, page, status)
            if who is None and method == "GET":
                answer = visitor.client.get(page, follow_redirects=False)
                assert answer.headers["location"].startswith("/org/login")
    assert _state(place) == before


def test_a_disabled_organisation_refuses_every_batch_page(clerk: Visitor, place: Place) -> None:
    path = batch_path(upload(clerk, spreadsheet([person(1)])))
    with Session(place.engine) as session:
        set_issuer_disabled(session, slug="college", disabled=True, now=NOW)
    before = _state(place)
    for method, page in _pages(path):
        assert _ask(clerk, method, page) == 403, (method, page)
    assert _state(place) == before


def test_every_batch_form_without_its_csrf_token_is_refused(clerk: Visitor, place: Place) -> None:
    path = batch_path(upload(clerk, spreadsheet([person(1)])))
    before = _state(place)
    for action in ("/org/college/batch", f"{path}/issue"):
        for token in ({}, {"csrf_token": "forged"}):
            response = clerk.client.post(
                action,
                data={"type": "qualification", **token},
                files={"file": ("a.csv", spreadsheet([person(1)]), "text/csv")},
                follow_redirects=False,
            )
            assert response.status_code == 403, (action, response.status_code)
    assert _state(place) == before


def test_a_batch_stopped_halfway_is_continued_from_its_page_without_offering_a_row_twice(
    clerk: Visitor, place: Place, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = batch_path(upload(clerk, spreadsheet([person(n) for n in range(1, 61)])))
    batch_id = path.rsplit("/", 1)[1]
    kek = client.app.state.kek  # type: ignore[attr-defined]
    with Session(place.engine, expire_on_commit=False) as session:
        (batch,) = session.exec(select(IssuerBatch)).all()
        issuer = get_issuer(session, slug="college")
        assert start_issuing(
            session, issuer_id=issuer.id, owner=batch.owner, batch_id=batch_id, now=NOW_REAL()
        )
        made = 0

        def stopping_offer(*args: Any, **kwargs: Any) -> Any:
            nonlocal made
            if made == 30:  # the process stops in the second chunk, 5 offers after the first
                raise RuntimeError("stopped")
            made += 1
            return create_offer(*args, **kwargs)

        monkeypatch.setattr(batches, "create_offer", stopping_offer)
        with pytest.raises(RuntimeError):
            issue_batch_rows(
                session,
                issuer=issuer,
                owner=batch.owner,
                batch_id=batch_id,
                kek=kek,
                base_url="https://taito.test",
                clock=NOW_REAL,
            )
        monkeypatch.undo()
    assert offers(place) == 30  # one chunk recorded, 5 more offers made before the stop
    running = clerk.page(path).text
    assert "25 of 60 issued." in running and "Update the progress" in running
    assert "Continue issuing" not in running  # the stopped process's lease still holds
    with Session(place.engine) as session:
        session.exec(update(IssuerBatch).values(lease_until=NOW_REAL() - timedelta(seconds=1)))
        session.commit()
    stalled = clerk.page(path).text
    assert "Continue issuing" in stalled and "Update the progress" not in stalled
    clerk.submit(path, f"{path}/issue", {}, 303)
    assert "60 credentials were issued as pickup offers." in clerk.page(path).text
    assert offers(place) == 60  # the row offered before the stop was replayed, not offered again
    results = clerk.page(f"{path}/results").content.decode("utf-8-sig").splitlines()
    assert len(results) == 61 and len({line.split(",")[4] for line in results[1:]}) == 60


def test_a_row_refused_when_issuing_says_so_in_the_results_and_the_others_are_issued(
    clerk: Visitor, place: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = batch_path(upload(clerk, spreadsheet([person(n) for n in range(1, 4)])))

    def refusing_row_3(*args: Any, **kwargs: Any) -> Any:
        if kwargs["idempotency_key"].endswith("|3"):
            raise TypeNotAccredited("the issuer is not accredited for this credential type")
        return create_offer(*args, **kwargs)

    monkeypatch.setattr(batches, "create_offer", refusing_row_3)
    clerk.submit(path, f"{path}/issue", {}, 303)
    assert offers(place) == 2
    lines = list(csv.reader(io.StringIO(clerk.page(f"{path}/results").text.lstrip("\ufeff"))))
    assert [line[0] for line in lines[1:]] == ["2", "3", "4"]
    assert lines[2][4] == "" and lines[2][6] == (
        "Not issued; issue this person's credential on its own. (type_not_accredited)"
    )
    assert lines[1][4] and lines[3][4]
