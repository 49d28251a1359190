"""The credential core: keys, JWK, DIDs, SD-JWT, SD-JWT VC, VC-JOSE, status lists, verification.

Pure: no database, no HTTP, no environment, no clock or randomness it is not handed. Imports
only the standard library, ``cryptography`` and its own modules; never ``schemas``, the services
(``issuers``, ``wallet``, ``verifiers``) or ``api`` (enforced by import-linter).
"""
