"""``<data_dir>/demo-credentials.json``: the development demo's secrets, kept so they can be
printed at every start of ``taito dev`` and used by ``taito demo``.

The file is written atomically and is readable by its owner only (0600). It holds the demo
organisations' API keys (each shown once by the API, so this file is the only copy), the demo
people's passwords and, under ``"staff"``, the organisations' staff logins
(``{username: {"password", "organisation", "role", "name"}}``). Development only:
:mod:`api.flows.demo_seeding` writes it only when the demo
is on in development mode.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.data_folder import make_private_folder

DEMO_FILE = "demo-credentials.json"
VERSION = 1


class DemoSeedError(RuntimeError):
    """The demo cannot be created (e.g. its organisations exist but their secrets are lost)."""


@dataclass(frozen=True)
class DemoOrganisation:
    """A demo issuer or verifier and its API key (development only)."""

    slug: str
    name: str
    role: str
    api_key: str
    identifier: str


@dataclass(frozen=True)
class DemoPerson:
    """A demo person's wallet login (development only)."""

    username: str
    name: str
    password: str
    holder_id: str


@dataclass(frozen=True)
class DemoStaff:
    """A demo staff login of an organisation (development only)."""

    username: str
    name: str
    password: str
    organisation: str
    role: str


@dataclass(frozen=True)
class DemoCredentials:
    """Everything needed to sign in to the demo, and where it is kept."""

    issuers: tuple[DemoOrganisation, ...]
    verifiers: tuple[DemoOrganisation, ...]
    people: tuple[DemoPerson, ...]
    path: Path
    created: bool
    staff: tuple[DemoStaff, ...] = ()

    def issuer(self, slug: str) -> DemoOrganisation:
        return next(o for o in self.issuers if o.slug == slug)

    def verifier(self, slug: str) -> DemoOrganisation:
        return next(o for o in self.verifiers if o.slug == slug)


def load_demo_credentials(path: Path) -> DemoCredentials | None:
    """The demo's secrets from a complete ``demo-credentials.json``, else ``None``."""
    state = read_state(path)
    if state is None or not state.get("complete"):
        return None
    return credentials_of(state, path, created=False)


def credentials_of(state: dict[str, Any], path: Path, *, created: bool) -> DemoCredentials:
    """The :class:`DemoCredentials` a (read) demo file state describes."""

    def organisations(kind: str) -> tuple[DemoOrganisation, ...]:
        return tuple(
            DemoOrganisation(
                slug=slug,
                name=item["name"],
                role=item["role"],
                api_key=item["api_key"],
                identifier=item["identifier"],
            )
            for slug, item in state.get(kind, {}).items()
        )

    return DemoCredentials(
        issuers=organisations("issuers"),
        verifiers=organisations("verifiers"),
        people=tuple(
            DemoPerson(
                username=username,
                name=item["name"],
                password=item["password"],
                holder_id=item["holder_id"],
            )
            for username, item in state.get("people", {}).items()
        ),
        path=path,
        created=created,
        staff=tuple(
            DemoStaff(
                username=username,
                name=item["name"],
                password=item["password"],
                organisation=item["organisation"],
                role=item["role"],
            )
            for username, item in state.get("staff", {}).items()
        ),
    )


def read_state(path: Path) -> dict[str, Any] | None:
    """The demo file's content, ``None`` when there is none; :class:`DemoSeedError` if broken."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise DemoSeedError(f"{path} cannot be read; delete it and the database") from error
    if not isinstance(state, dict) or state.get("version") != VERSION:
        raise DemoSeedError(f"{path} is not a Taito demo file; delete it and the database")
    return state


def write_state(path: Path, state: dict[str, Any]) -> None:
    """Save ``state`` atomically, readable by its owner only (0600)."""
    make_private_folder(path.parent)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    os.replace(partial, path)
