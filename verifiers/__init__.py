"""Verifier organisations, presentation requests, the trust registry and verification reports.

Owns its SQLModel tables (``verifiers.tables``). May import ``credentials`` and ``schemas``; never
``issuers``, ``wallet`` or ``api``.
"""
