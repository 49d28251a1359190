"""Taito's credential types: JSON Schemas, SD-JWT VC type metadata and the ESCO/EQF vocabularies.

Pure data and the functions that read it; no I/O beyond the package's own files. Imports only the
standard library, ``jsonschema`` and its own modules; never ``credentials``, the services or ``api``.
"""
