"""Encryption at rest under the key-encryption key (KEK): not a credential concept, so not in
``credentials``. Used by the services for private keys, wallet data keys and sealed records.
"""
