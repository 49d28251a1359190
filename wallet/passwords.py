"""Password hashing (argon2id, RFC 9106) with a bound on how many hashes run at once.

One argon2id computation at the RFC 9106 §4 second recommended option (t=3, 64 MiB, p=4) keeps
up to four threads and 64 MiB busy for a tenth of a second or more. Run forty at once and every
other request waits behind them; so each process computes at most ``slots`` hashes at a time,
lets at most ``max_waiting`` more wait (each for at most ``max_wait_seconds``), and answers
anything beyond that at once with :class:`~wallet.errors.AuthenticationBusy` (503 with
``Retry-After``). Requests that wait hold a worker thread, so ``slots + max_waiting`` is also the
most worker threads sign-ins can take: the rest keep serving every other endpoint.

An unknown username is checked against a decoy hash with the same parameters, so a login does
the same work whether or not the account exists.
"""

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from wallet.errors import AuthenticationBusy

RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True)
class Argon2Parameters:
    """argon2id cost parameters; the defaults are RFC 9106 §4's second recommended option."""

    time_cost: int = 3
    memory_cost_kib: int = 64 * 1024
    parallelism: int = 4

    def hasher(self) -> PasswordHasher:
        return _hasher(self)


@lru_cache(maxsize=8)
def _hasher(parameters: Argon2Parameters) -> PasswordHasher:
    return PasswordHasher(
        time_cost=parameters.time_cost,
        memory_cost=parameters.memory_cost_kib,
        parallelism=parameters.parallelism,
    )


@lru_cache(maxsize=8)
def _decoy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash(secrets.token_urlsafe(16))


def default_hashing_slots() -> int:
    """Half the CPUs this process may run on (at least one): argon2id uses several threads."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
        cpus = os.cpu_count() or 1
    return max(1, cpus // 2)


class HashingSlots:
    """How many password hashes one process computes at once, and how many may wait."""

    def __init__(self, *, slots: int, max_waiting: int, max_wait_seconds: float) -> None:
        if slots < 1 or max_waiting < 0 or max_wait_seconds < 0:
            raise ValueError("slots >= 1, max_waiting >= 0 and max_wait_seconds >= 0")
        self.slots = slots
        self.max_waiting = max_waiting
        self.max_wait_seconds = max_wait_seconds
        self._free = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """How many hashes are waiting for a slot now."""
        return self._waiting

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for a hash; raise :class:`AuthenticationBusy` when none comes in time."""
        if not self._free.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self.max_waiting:
                    raise AuthenticationBusy(retry_after_seconds=RETRY_AFTER_SECONDS)
                self._waiting += 1
            try:
                acquired = self._free.acquire(timeout=self.max_wait_seconds)
            finally:
                with self._lock:
                    self._waiting -= 1
            if not acquired:
                raise AuthenticationBusy(retry_after_seconds=RETRY_AFTER_SECONDS)
        try:
            yield
        finally:
            self._free.release()


@dataclass(frozen=True)
class PasswordHashing:
    """argon2id hashing and verification, each computation inside one of ``slots``."""

    hasher: PasswordHasher
    slots: HashingSlots

    @classmethod
    def serial(cls, parameters: Argon2Parameters) -> "PasswordHashing":
        """One hash at a time, nobody waiting: for an operator's tools that run alone."""
        return cls(parameters.hasher(), HashingSlots(slots=1, max_waiting=0, max_wait_seconds=0))

    def hash(self, password: str) -> str:
        """The argon2id hash of ``password``; raises :class:`AuthenticationBusy`."""
        with self.slots.slot():
            return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored``; ``None`` does the same work on a decoy.

        Raises :class:`AuthenticationBusy` when no slot frees up in time.
        """
        hasher = self.hasher
        target = stored or _decoy_hash(hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        with self.slots.slot():
            try:
                return hasher.verify(target, password) and stored is not None
            except (VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, stored: str) -> bool:
        """Whether ``stored`` was made with other parameters than this hasher's."""
        return self.hasher.check_needs_rehash(stored)
