"""SQLModel tables owned by ``issuers``."""
