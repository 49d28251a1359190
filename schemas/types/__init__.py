"""Data files of the credential types: JSON Schemas, type metadata templates, examples."""
