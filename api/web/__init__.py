"""The people's web pages: server-rendered HTML over the same services as the JSON API.

:func:`api.web.site.install_web` mounts them; the foundation (language, sessions, CSRF, security
headers, rendering) is shared so that organisation pages can reuse it.
"""
