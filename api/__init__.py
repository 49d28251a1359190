"""The HTTP edge: FastAPI app factory, settings, database wiring, auth, routers and the CLI.

Translates HTTP to service calls and back; holds no business rule. May import every other
package; nothing imports ``api``.
"""
