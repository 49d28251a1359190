"""Rendering a page: the template, the page language, the CSRF token and the cookies.

:class:`Page` is what a page route gets (``PageDep``): the request's language and localizer,
who is signed in, and :meth:`Page.render`, which fills the shared layout (skip link, header with
the language switch, main landmark, footer) and sets the CSRF seed cookie when it is new.
"""

from dataclasses import dataclass, field
from typing import Annotated, Any, Final
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from api.deps import KEKDep, SettingsDep
from api.settings import Settings
from api.web.language import LANGUAGE_COOKIE, LANGUAGE_NAMES, Localizer, page_language
from api.web.sessions import (
    CSRF_COOKIE,
    MaybePerson,
    csrf_seed,
    csrf_token,
    set_cookie,
)
from schemas.type_metadata import LANGUAGES
from verifiers.language import Language

MAX_NEXT_LENGTH: Final = 300


def build_templates() -> Environment:
    """The Jinja2 environment of the pages (autoescaped HTML, templates from the package)."""
    return Environment(
        loader=PackageLoader("api.web", "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def local_path(value: str | None, *, default: str = "/wallet") -> str:
    """``value`` when it is a path on this site (no scheme, no host, no ``//``), else default."""
    if not value or len(value) > MAX_NEXT_LENGTH:
        return default
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 0x21 for c in value):
        return default
    return value


@dataclass
class Page:
    """One page being answered."""

    request: Request
    settings: Settings
    kek: bytes
    language: Language
    holder: str | None
    t: Localizer = field(init=False)

    def __post_init__(self) -> None:
        self.t = Localizer(self.language)

    def _(self, message: str, **values: object) -> str:
        """``message`` in the page language (for text built in Python)."""
        return self.t.gettext(message, **values)

    def render(
        self,
        template: str,
        *,
        title: str,
        status: int = 200,
        errors: list[tuple[str, str]] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """The page: ``title`` is the page's own ``<h1>`` and the start of ``<title>``.

        ``errors`` are ``(field id, message)`` pairs for the error summary and the fields.
        """
        environment = self.request.app.state.web_templates
        assert isinstance(environment, Environment)
        seed = csrf_seed(self.request)
        path = self.request.url.path
        query = self.request.url.query
        here = path + (f"?{query}" if query else "")
        switch = [
            {
                "code": code,
                "name": LANGUAGE_NAMES[code],
                "href": "/language?" + urlencode({"lang": code, "next": local_path(here)}),
                "current": code == self.language,
            }
            for code in LANGUAGES
        ]
        html = environment.get_template(template).render(
            _=self.t.markup,
            ngettext=self.t.ngettext,
            t=self.t,
            lang=self.language,
            title=title,
            errors=errors or [],
            error_of=dict(errors or []),
            csrf_token=csrf_token(seed, kek=self.kek),
            signed_in=self.holder is not None,
            languages=switch,
            path=path,
            next_here=quote(here, safe="/"),
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        if self.request.cookies.get(CSRF_COOKIE) != seed:
            set_cookie(response, self.request, self.settings, name=CSRF_COOKIE, value=seed)
        return response


def current_page(request: Request, settings: SettingsDep, kek: KEKDep, holder: MaybePerson) -> Page:
    """The page context of this request."""
    language = page_language(
        chosen=request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
    )
    return Page(request=request, settings=settings, kek=kek, language=language, holder=holder)


PageDep = Annotated[Page, Depends(current_page)]
