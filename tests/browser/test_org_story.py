"""The whole story across both web apps, in real browsers, with nothing done through the API.

College staff issue a qualification with two ESCO skills through the form; a person picks it up
with the code in the people's app; employer staff ask for a qualification at EQF 4 or higher with
one of those skills; the person answers in their wallet; the employer's page shows the report
with every check passed; the college revokes the credential in its register; the employer
verifies the kept answer again and reads, in Finnish, why it fails now.
"""

import re

from playwright.sync_api import Browser, expect

from tests.browser.conftest import register
from tests.browser.test_accessibility import visit
from tests.browser.test_org_accessibility import staff_sign_in
from tests.browser.test_org_issuing import CLERK, issue
from tests.browser.test_org_verifying import PURPOSE, ask
from tools.web_harness import Harness

FAMILY_NAME = "Tarinainen"


def test_college_issues_person_answers_employer_verifies_college_revokes_employer_reads_why(
    chromium: Browser, server: Harness
) -> None:
    # College staff issue through the form: two ESCO skills, EQF level 4.
    college = chromium.new_context(base_url=server.url, locale="en-GB")
    clerk = college.new_page()
    staff_sign_in(clerk, CLERK)
    code = issue(clerk, FAMILY_NAME)

    # The person picks it up with the code in the people's app.
    people = chromium.new_context(base_url=server.url, locale="en-GB")
    person = people.new_page()
    register(person, "tarina@example.fi")
    visit(person, "/wallet/receive")
    person.locator("#code").fill(code)
    person.locator("main form button[type=submit]").click()
    person.wait_for_url(re.compile(r"/wallet/credentials/"))
    expect(person.locator("main")).to_contain_text("Python (computer programming)")

    # Employer staff ask for a qualification at EQF 4 or higher with Python.
    employer = chromium.new_context(base_url=server.url, locale="en-GB")
    recruiter = employer.new_page()
    staff_sign_in(recruiter, "rekry@employer")
    request_id = ask(recruiter)

    # The person answers in their wallet.
    person.goto(f"/wallet/requests/{request_id}")
    expect(person.locator("main")).to_contain_text(PURPOSE)
    person.get_by_role("button", name="Send everything asked").click()
    expect(person.get_by_role("status")).to_contain_text("sent to Rekrytalo Oy")

    # The employer's page updates itself: every check passed, the claims labelled.
    expect(recruiter.locator(".verdict")).to_have_text(
        "✓ Verified: every check passed.", timeout=20_000
    )
    expect(recruiter.locator(".status-invalid")).to_have_count(0)
    claims = recruiter.locator("table tbody")
    expect(claims).to_contain_text("Python (computer programming)")
    expect(claims).not_to_contain_text("http://data.europa.eu/esco")

    # The college finds the credential in its register and revokes it, with a reason.
    visit(clerk, "/org/college/credentials")
    clerk.locator("main table tr", has_text=f"A. {FAMILY_NAME}").locator("a").first.click()
    clerk.locator("main a", has_text="Revoke this credential").click()
    clerk.locator("#reason").fill("Issued by mistake")
    clerk.locator("main form button.danger").click()
    expect(clerk.locator("main .lead")).to_contain_text("Revoked")

    # The employer verifies again and reads, in Finnish, why it fails now.
    recruiter.get_by_role("link", name="Suomeksi").click()
    expect(recruiter.locator("html")).to_have_attribute("lang", "fi")
    recruiter.get_by_role("button", name="Varmenna uudelleen").click()
    expect(recruiter.locator(".verdict")).to_contain_text("Ei varmennettu")
    expect(recruiter.locator("main")).to_contain_text("Myöntäjä on peruuttanut tämän tunnisteen.")
    for context in (college, people, employer):
        context.close()
