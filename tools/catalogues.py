"""The web pages' message catalogues: extract the messages and update the ``.po`` files.

``python -m tools.catalogues`` reads every ``_()``, ``N_()``, ``gettext()`` and ``ngettext()``
in ``api/web`` (Python and Jinja2 templates), adds new messages to the fi, sv and en catalogues
(empty, for a translator) and drops messages no longer used. ``make test`` checks that every
message has all three translations (``tests/unit/test_web_catalogues.py``).
"""

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from api.web.language import DOMAIN, catalogue_path
from schemas.type_metadata import LANGUAGES

WEB = Path(__file__).resolve().parent.parent / "api" / "web"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def extract_messages() -> Catalog:
    """Every message of the pages' code and templates, as a template catalogue."""
    template = Catalog(domain=DOMAIN, project="Taito", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        WEB, method_map=METHODS, options_map={"**/templates/**.html": {"trimmed": "true"}}
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def update_catalogues() -> None:
    """Merge the extracted messages into each language's ``.po`` (keeping translations)."""
    template = extract_messages()
    for language in LANGUAGES:
        path = WEB / catalogue_path(language)
        if path.exists():
            with path.open("rb") as source:
                catalog = read_po(source, locale=language, domain=DOMAIN)
            catalog.update(template, update_header_comment=False)
            catalog.obsolete.clear()
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="Taito", fuzzy=False)
            catalog.update(template)
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=100, omit_header=False, sort_output=True, no_location=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buffer.getvalue())


if __name__ == "__main__":
    update_catalogues()
