"""The API docs render offline from packaged assets, under the Content-Security-Policy."""

from playwright.sync_api import BrowserContext, Page, Route, expect


def _offline(route: Route) -> None:
    """Nothing but this server answers: a CDN would be refused."""
    if route.request.url.startswith("http://127.0.0.1:"):
        route.continue_()
    else:
        route.abort()


def test_swagger_ui_renders_with_authorize_for_the_bearer_schemes(page: Page) -> None:
    page.route("**/*", _offline)
    page.goto("/docs")
    page.get_by_role("button", name="Authorize").click()
    for scheme in ("wallet_access_token", "issuer_api_key", "verifier_api_key", "admin_token"):
        expect(page.get_by_text(scheme, exact=False).first).to_be_visible()


def test_redoc_renders_the_api(context: BrowserContext) -> None:
    # ReDoc's sidebar links a logo on its makers' CDN: the policy refuses it (and nothing else).
    page = context.new_page()
    page.route("**/*", _offline)
    page.goto("/redoc")
    # ReDoc lays the whole API out in script before it shows the title: on a busy two-core
    # machine that took longer than the default 5 s.
    expect(page.get_by_role("heading", name="Taito").first).to_be_visible(timeout=30_000)
