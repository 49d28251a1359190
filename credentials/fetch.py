"""The one door through which the credential core reads documents from the web.

The core never opens a connection. Where a specification needs a document fetched (a did:web
DID document, JWT VC Issuer Metadata and the JWK Set behind ``jwks_uri``), the caller injects a
:data:`Fetcher`: a function from an ``https`` URL to the response body.

The service layer implements it and is responsible for what SD-JWT VC §3 ("Retrieving Documents
and Resources via HTTP") and §7.1 ("Server-Side Request Forgery") demand of every retrieval:

- only ``https`` URLs, also for every redirect target, with a small limit on redirects;
- no request to internal resources: loopback, link-local, private-use and other addresses that
  are not globally reachable, checked on the *resolved* address of every hop;
- a timeout for the whole retrieval and a cap on the response size (read no more than the cap);
- an error response (4xx or 5xx) is never handed back as a document;
- every failure raises :class:`~credentials.errors.FetchFailed` (no other exception), so a
  failure is a named rejection and never a crash.

The core additionally refuses non-``https`` URLs before calling the fetcher and enforces its own
size cap on what it parses (:func:`fetch_document`), so a fetcher that is more generous than it
should be still cannot make the core parse an oversized document. Caching is the service's job;
nothing here remembers anything between calls. Section numbers are those of
draft-ietf-oauth-sd-jwt-vc-latest; earlier drafts number these sections differently.
"""

from collections.abc import Callable

from credentials.errors import FetchFailed, TooLarge

Fetcher = Callable[[str], bytes]
"""``fetch(url) -> body``: GET an ``https`` URL under the rules above or raise ``FetchFailed``."""

MAX_DOCUMENT_BYTES = 64 * 1024
"""Largest fetched document the core parses (DID document, issuer metadata, JWK Set)."""


def fetch_document(fetch: Fetcher, url: str, *, what: str, max_bytes: int) -> bytes:
    """Fetch ``url`` through the injected fetcher and cap what comes back.

    SD-JWT VC §3: URLs use the ``https`` scheme and retrieval is size-bound. Raises
    :class:`FetchFailed` for a URL that is not ``https`` (without calling the fetcher) or when
    the fetcher fails, and :class:`TooLarge` when the body exceeds ``max_bytes``.
    """
    if not url.startswith("https://"):
        raise FetchFailed(f"the {what} URL does not use the https scheme")
    body = fetch(url)
    if not isinstance(body, bytes):
        raise TypeError("a Fetcher must return bytes")
    if len(body) > max_bytes:
        raise TooLarge(f"the {what} is larger than {max_bytes} bytes")
    return body
