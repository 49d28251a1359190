import pytest

from sealing.aead import SealError, open_sealed, seal

KEK = bytes(range(32))
NONCE = bytes(12)


def test_sealed_value_opens_with_the_same_key_and_context() -> None:
    sealed = seal(KEK, b"private key bytes", context=b"issuer-key|a|kid1", nonce=NONCE)
    assert b"private key bytes" not in sealed
    assert open_sealed(KEK, sealed, context=b"issuer-key|a|kid1") == b"private key bytes"


def test_sealed_value_moved_to_another_context_does_not_open() -> None:
    sealed = seal(KEK, b"secret", context=b"issuer-key|a|kid1", nonce=NONCE)
    with pytest.raises(SealError) as caught:
        open_sealed(KEK, sealed, context=b"issuer-key|b|kid1")
    assert caught.value.code == "sealed_data_invalid"


def test_altered_ciphertext_does_not_open() -> None:
    sealed = bytearray(seal(KEK, b"secret", context=b"c", nonce=NONCE))
    sealed[-1] ^= 1
    with pytest.raises(SealError):
        open_sealed(KEK, bytes(sealed), context=b"c")


def test_another_kek_does_not_open() -> None:
    sealed = seal(KEK, b"secret", context=b"c", nonce=NONCE)
    with pytest.raises(SealError):
        open_sealed(bytes(32), sealed, context=b"c")
