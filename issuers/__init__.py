"""Issuer organisations: accounts, key custody, issuance, the register and status lists.

Owns its SQLModel tables (``issuers.tables``). May import ``credentials`` and ``schemas``; never
``wallet``, ``verifiers`` or ``api``.
"""
