"""The holder's wallet: accounts, holder keys, stored credentials, shares, consent and activity.

Owns its SQLModel tables (``wallet.tables``). May import ``credentials`` and ``schemas``; never
``issuers``, ``verifiers`` or ``api``. Flows that cross services are composed in ``api``: the
verification gate comes in as a :class:`wallet.checker.CredentialChecker`, a verifier's request
as a :class:`wallet.request_answers.PresentationRequest`.

Modules: ``accounts``, ``account_rules``, ``passwords``, ``login_throttle`` and ``tokens``
(registration, username and password rules, bounded argon2id, rate limits, sessions), ``vault``
(per-holder data key under the KEK), ``holder_keys``, ``credentials`` and ``held`` (receive,
list, search, detail), ``claims`` (labels, skills, search text), ``profile`` (skills profile,
self-declared skills), ``presentations``, the ``shares`` subpackage (consented sharing),
``request_answers`` (answering verifiers), ``activity`` (the hash-chained log),
``reauthentication`` (the password again), ``portability`` and ``export_encryption`` (export,
import) and ``erasure``.
"""
