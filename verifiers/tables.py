"""SQLModel tables owned by ``verifiers``."""
