"""SQLModel tables owned by ``wallet``."""
