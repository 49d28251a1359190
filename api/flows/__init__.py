"""Flows that cross services: one verb function each, composing the services (docs/architecture.md)."""
