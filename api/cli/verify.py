"""``taito verify``: the command line's door of the one verification gate.

The file goes through :func:`verifiers.gate.admit` like every credential the API accepts, under
:data:`~verifiers.policy.CLI_PRESENTATION` (Key Binding required: ``--aud`` and ``--nonce``) or,
with ``--no-key-binding``, :data:`~verifiers.policy.CLI_CREDENTIAL` (an issued credential). The
issuer key given with ``--issuer-key`` is the only trusted key, for any type. The status is read
through the SSRF-safe fetcher (:mod:`api.fetch`, imported only when a list must be fetched); a
list that cannot be reached is "not checked", a rejection, unless ``--offline`` is given, which
skips the status check and says so. Exit status: 0 verified, 1 rejected, 2 usage error.
"""

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from api.cli.credentials import UsageError, any_key, guarded, read_text
from credentials.keys import PublicKey
from credentials.resolvers import pinned_key
from verifiers.admission import Admission, Expected, GateContext, IssuerTrust
from verifiers.fetching import DocumentCache, Fetched, Fetcher
from verifiers.gate import admit
from verifiers.policy import (
    CLI_CREDENTIAL,
    CLI_PRESENTATION,
    DoorPolicy,
    KeyBinding,
    offline,
    with_legacy_typ,
)
from verifiers.trust_entries import KeySource


def make_fetcher() -> Fetcher:
    """The SSRF-safe remote fetcher of :mod:`api.fetch` (https only, public addresses only).

    Imported only when a status list is fetched, so that the command starts quickly.
    """
    from api.fetch import RemoteFetcher

    return RemoteFetcher(allow_loopback_http=False)


def _lazy_fetcher() -> Fetcher:
    made: list[Fetcher] = []

    def fetch(url: str) -> Fetched:
        if not made:
            made.append(make_fetcher())
        return made[0](url)

    return fetch


def register(commands: Any) -> None:
    verify = commands.add_parser("verify", help="verify a presentation or credential")
    verify.add_argument("file", metavar="FILE")
    verify.add_argument("--issuer-key", required=True, help="issuer's public (or private) JWK")
    verify.add_argument("--aud", help="expected audience of the Key Binding")
    verify.add_argument("--nonce", help="expected nonce of the Key Binding")
    binding = verify.add_mutually_exclusive_group()
    binding.add_argument(
        "--require-key-binding",
        action="store_true",
        help="require Key Binding (the default; kept for scripts that say so)",
    )
    binding.add_argument(
        "--no-key-binding",
        action="store_true",
        help="verify an issued credential: no Key Binding required (one present is verified)",
    )
    verify.add_argument(
        "--offline",
        action="store_true",
        help="do not fetch the status list; the report says the status was not checked",
    )
    verify.add_argument(
        "--allow-legacy-typ",
        action="store_true",
        help="also accept typ vc+sd-jwt (older SD-JWT VC drafts)",
    )
    verify.set_defaults(handler=guarded(run_verify))


def door_policy(args: argparse.Namespace) -> DoorPolicy:
    """The policy the arguments choose (docs/security.md, "What each door requires")."""
    policy = CLI_CREDENTIAL if args.no_key_binding else CLI_PRESENTATION
    if args.offline:
        policy = offline(policy)
    if args.allow_legacy_typ:
        policy = with_legacy_typ(policy)
    return policy


def wall_clock() -> datetime:
    """The time the command line verifies at: now, UTC (tests hand in a fixed one)."""
    return datetime.now(UTC)


def _context(key: PublicKey, now: datetime) -> GateContext:
    def trust(issuer: str) -> IssuerTrust:
        return IssuerTrust(
            identifier=issuer,
            display_name=issuer,
            trusted_vcts=frozenset(),
            key_source=KeySource.PINNED_JWK,
            resolve_key=pinned_key(key),
        )

    return GateContext(
        trust=trust,
        fetch=_lazy_fetcher(),
        cache=DocumentCache(),
        now=now,
        language="en",
        base_url=None,
    )


def _output(admission: Admission) -> dict[str, Any]:
    report = admission.report
    output: dict[str, Any] = {
        "verified": report.verified,
        "format": report.format,
        "issuer": report.issuer,
        "vct": report.vct,
        "key_binding": any(
            c.check == "kb_signature" and c.outcome == "passed" for c in report.checks
        ),
        "checks": [check.to_json() for check in report.checks],
        "claims": report.claims,
    }
    if admission.holder is not None:
        output["holder"] = admission.holder
        output["credentials"] = [
            {"issuer": c.issuer, "vct": c.vct, "claims": c.claims} for c in admission.credentials
        ]
    failures = [c for c in report.checks if c.outcome == "failed"]
    if failures:
        # The check that failed for a reason of its own, not one left unchecked because of it.
        first = next((c for c in failures if c.code != "not_checked"), failures[0])
        output["error"] = {"check": first.check, "code": first.code, "detail": first.reason}
    return output


def run_verify(args: argparse.Namespace) -> int:
    """Verify FILE with the issuer key given; print the gate's report as JSON."""
    text = read_text(args.file).strip()
    key = any_key(args.issuer_key, "issuer key")
    policy = door_policy(args)
    if policy.key_binding is KeyBinding.REQUIRED and not (args.aud and args.nonce):
        raise UsageError(
            "a presentation is verified with --aud and --nonce "
            "(give --no-key-binding to check an issued credential)"
        )
    admission = admit(
        text,
        policy=policy,
        context=_context(key, wall_clock()),
        expected=Expected(audience=args.aud, nonce=args.nonce),
    )
    output = _output(admission)
    print(json.dumps(output, indent=2, ensure_ascii=False))
    status = next((c for c in admission.report.checks if c.check == "status"), None)
    if status is not None and status.code == "status_unavailable":
        print(
            "taito: status not checked (the list could not be read); "
            "give --offline to verify without it",
            file=sys.stderr,
        )
    return 0 if admission.verified else 1
