"""The pages' catalogues: every message in Finnish, Swedish and English, with its placeholders."""

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from api.web.language import DOMAIN, Localizer, catalogue_path
from schemas.type_metadata import LANGUAGES
from tools.catalogues import WEB, extract_messages


def _catalogue(language: str) -> Catalog:
    with (WEB / catalogue_path(language)).open("rb") as source:  # type: ignore[arg-type]
        return read_po(source, locale=language, domain=DOMAIN)


def _key(message_id: object) -> object:
    return tuple(message_id) if isinstance(message_id, list | tuple) else message_id


def test_every_message_of_the_pages_has_all_three_translations() -> None:
    wanted = {_key(m.id) for m in extract_messages() if m.id}
    assert len(wanted) > 100
    for language in LANGUAGES:
        catalogue = _catalogue(language)
        translated = {
            _key(m.id)
            for m in catalogue
            if m.id
            and not m.fuzzy
            and all(m.string if isinstance(m.string, tuple | list) else [m.string])
        }
        assert wanted - translated == set(), f"untranslated in {language}"


def test_translations_keep_the_placeholders_of_their_message() -> None:
    for language in LANGUAGES:
        problems = [
            (message.id, [str(e) for e in errors])
            for message, errors in _catalogue(language).check()
            if errors
        ]
        assert problems == [], language


def test_the_catalogues_compile_and_answer_in_their_language() -> None:
    assert Localizer("fi").gettext("Sign in") == "Kirjaudu sisään"
    assert Localizer("sv").gettext("Sign in") == "Logga in"
    assert Localizer("en").gettext("Sign in") == "Sign in"
    assert str(Localizer("fi").ngettext("%(num)s credential", "%(num)s credentials", 1200)) == (
        "1\xa0200 osaamistodistetta"
    )
