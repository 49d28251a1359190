"""The holder's wallet: accounts, holder keys, stored credentials, shares, consent and activity.

Owns its SQLModel tables (``wallet.tables``). May import ``credentials`` and ``schemas``; never
``issuers``, ``verifiers`` or ``api``. Flows that cross services are composed in ``api``.
"""
