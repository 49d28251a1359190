"""Offline credential commands: ``taito keygen``, ``issue`` and ``present`` (``verify``: its own
module, :mod:`api.cli.verify`, the gate's command-line door).

They use the credential core only (no database, no network), so Taito interoperates with any
other SD-JWT VC or VC-JOSE tool through files. FILE may be ``-`` for standard input. Exit status:
0 success, 2 usage error (bad arguments, unreadable files, invalid keys), each a one-line message.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from credentials.did_jwk import encode_did_jwk
from credentials.encoding import json_loads
from credentials.errors import CredentialError
from credentials.keys import (
    ALGORITHMS,
    PrivateKey,
    PublicKey,
    generate_key,
    private_key_from_jwk,
    public_key_from_jwk,
)
from credentials.sd_jwt import digest
from credentials.sd_jwt_disclosable import mark_all, mark_paths
from credentials.sd_jwt_holder import HolderBinding, create_presentation, open_sd_jwt
from credentials.sd_jwt_issuer import DecoySource, random_salt
from credentials.sd_jwt_vc import PLAIN_CLAIMS, issue_sd_jwt_vc
from credentials.vc_jose import issue_vc_jwt
from credentials.vp_jose import present_vp_jwt

Subparsers = Any  # argparse's _SubParsersAction is private.
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


class UsageError(Exception):
    """Bad arguments or unreadable input: exit status 2, a one-line message on stderr."""


def register(commands: Subparsers) -> None:
    keygen = commands.add_parser("keygen", help="print a new private JWK")
    keygen.add_argument("--alg", choices=ALGORITHMS, default="ES256")
    keygen.set_defaults(handler=guarded(run_keygen))

    issue = commands.add_parser("issue", help="issue an SD-JWT VC or a vc+jwt")
    issue.add_argument("--key", required=True, help="issuer's private JWK file")
    issue.add_argument(
        "--kid",
        help="the key id to put in the header (for a DID issuer: a DID URL of its key)",
    )
    issue.add_argument("--iss", required=True, help="issuer identifier (https URL or DID)")
    issue.add_argument("--vct", required=True, help="credential type URI")
    issue.add_argument("--claims", required=True, help="JSON file of the claims")
    issue.add_argument("--holder-key", help="holder's JWK file; its public part is bound (cnf)")
    chosen = issue.add_mutually_exclusive_group()
    chosen.add_argument(
        "--sd",
        action="append",
        default=[],
        metavar="PATH",
        help="make PATH selectively disclosable (repeatable)",
    )
    chosen.add_argument(
        "--sd-all",
        action="store_true",
        help="make every claim that may be disclosable so, recursively",
    )
    issue.add_argument(
        "--decoys",
        type=int,
        default=0,
        metavar="N",
        help="add N decoy digests to the top level (SD-JWT only)",
    )
    issue.add_argument("--format", choices=("dc+sd-jwt", "vc+jwt"), default="dc+sd-jwt")
    issue.add_argument("--expires-in", type=int, metavar="SECONDS")
    issue.set_defaults(handler=guarded(run_issue))

    present = commands.add_parser("present", help="make a presentation of a held credential")
    present.add_argument("file", metavar="FILE")
    present.add_argument(
        "--disclose",
        action="append",
        default=[],
        metavar="PATH",
        help="disclose PATH, everything beneath it and its parents (repeatable)",
    )
    present.add_argument("--holder-key", help="holder's private JWK (adds a Key Binding JWT)")
    present.add_argument("--aud", help="audience of the Key Binding JWT")
    present.add_argument("--nonce", help="nonce of the Key Binding JWT")
    present.set_defaults(handler=guarded(run_present))


def guarded(handler: Any) -> Any:
    """``handler`` with a :class:`UsageError` turned into a one-line message and exit status 2."""

    def run(args: argparse.Namespace) -> int:
        try:
            result: int = handler(args)
        except UsageError as error:
            print(f"taito: {error}", file=sys.stderr)
            return 2
        return result

    return run


def read_text(path: str) -> str:
    """The text of ``path`` (``-``: standard input); :class:`UsageError` when unreadable."""
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read {path}: {error.__class__.__name__}") from None


def _json_file(path: str, what: str) -> Any:
    try:
        return json_loads(read_text(path))
    except CredentialError as error:
        raise UsageError(f"{what} ({path}) is not valid JSON: {error.detail}") from None


def _private_key(path: str, what: str, *, kid: str | None = None) -> PrivateKey:
    try:
        return private_key_from_jwk(_json_file(path, what), kid=kid)
    except CredentialError as error:
        raise UsageError(f"{what} ({path}) is not a usable private JWK: {error.detail}") from None


def _public_key(path: str, what: str) -> PublicKey:
    try:
        return public_key_from_jwk(_json_file(path, what))
    except CredentialError as error:
        raise UsageError(f"{what} ({path}) is not a usable JWK: {error.detail}") from None


def any_key(path: str, what: str) -> PublicKey:
    """The public key of a public or private JWK file; :class:`UsageError` when unusable."""
    jwk = _json_file(path, what)
    try:
        return private_key_from_jwk(jwk).public if "d" in jwk else public_key_from_jwk(jwk)
    except (CredentialError, TypeError) as error:
        detail = error.detail if isinstance(error, CredentialError) else "not a JWK object"
        raise UsageError(f"{what} ({path}) is not a usable JWK: {detail}") from None


def run_keygen(args: argparse.Namespace) -> int:
    print(json.dumps(generate_key(args.alg).private_jwk, indent=2))
    return 0


def _top_level_decoys(count: int) -> DecoySource:
    def decoys(path: Sequence[object], *, in_array: bool) -> Sequence[str]:
        if path or in_array:
            return ()
        return tuple(digest(random_salt(), "sha-256") for _ in range(count))

    return decoys


def run_issue(args: argparse.Namespace) -> int:
    key = _private_key(args.key, "issuer key", kid=args.kid)
    claims = _json_file(args.claims, "claims")
    if not isinstance(claims, dict):
        raise UsageError("the claims file must hold a JSON object")
    holder = any_key(args.holder_key, "holder key") if args.holder_key else None
    now = datetime.now(UTC).replace(microsecond=0)
    expires = now + timedelta(seconds=args.expires_in) if args.expires_in else None
    if args.decoys < 0 or args.decoys > 100:
        raise UsageError("--decoys takes a number from 0 to 100")
    if args.format == "vc+jwt":
        if args.sd or args.sd_all or args.decoys:
            raise UsageError("--sd, --sd-all and --decoys apply to dc+sd-jwt only")
        if args.iss.startswith("did:") and not key.kid.startswith(args.iss + "#"):
            raise UsageError("a DID issuer signs with --kid set to a DID URL of its key (DID#...)")
        try:
            print(issue_vc_jwt(_vc(claims, args, holder, now, expires), key=key, issued_at=now))
        except (ValueError, TypeError, CredentialError) as error:
            detail = error.detail if isinstance(error, CredentialError) else str(error)
            raise UsageError(f"cannot issue: {detail}") from None
        return 0
    try:
        if args.sd_all:
            marked = mark_all(claims, plain=PLAIN_CLAIMS)
        elif args.sd:
            marked = mark_paths(claims, args.sd)
        else:
            marked = claims
        issued = issue_sd_jwt_vc(
            marked,
            issuer=args.iss,
            vct=args.vct,
            issued_at=now,
            issuer_key=key,
            salt=random_salt,
            holder_key=holder,
            expires_at=expires,
            decoys=_top_level_decoys(args.decoys) if args.decoys else None,
            header={"kid": key.kid},
        )
    except (ValueError, TypeError, CredentialError) as error:
        detail = error.detail if isinstance(error, CredentialError) else str(error)
        raise UsageError(f"cannot issue: {detail}") from None
    print(issued.serialized)
    return 0


def _vc(
    claims: dict[str, Any],
    args: argparse.Namespace,
    holder: PublicKey | None,
    now: datetime,
    expires: datetime | None,
) -> dict[str, Any]:
    subject = dict(claims)
    if holder is not None:
        subject["id"] = encode_did_jwk(holder)
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "type": ["VerifiableCredential", args.vct],
        "issuer": args.iss,
        "validFrom": now.isoformat().replace("+00:00", "Z"),
        "credentialSubject": subject,
    }
    if expires is not None:
        credential["validUntil"] = expires.isoformat().replace("+00:00", "Z")
    return credential


def run_present(args: argparse.Namespace) -> int:
    text = read_text(args.file).strip()
    binding = (args.holder_key, args.aud, args.nonce)
    if any(binding) and not all(binding):
        raise UsageError("--holder-key, --aud and --nonce go together")
    now = datetime.now(UTC).replace(microsecond=0)
    if "~" not in text:
        if args.disclose or not args.holder_key:
            raise UsageError("a vc+jwt is presented whole: give --holder-key, --aud, --nonce")
        key = _private_key(args.holder_key, "holder key")
        holder = encode_did_jwk(key.public)
        did_key = private_key_from_jwk(key.private_jwk, kid=holder + "#0")
        print(
            present_vp_jwt(
                [text],
                holder=holder,
                key=did_key,
                audience=args.aud,
                nonce=args.nonce,
                issued_at=now,
            )
        )
        return 0
    try:
        held = open_sd_jwt(text)
        binding_key = (
            HolderBinding(
                holder_key=_private_key(args.holder_key, "holder key"),
                audience=args.aud,
                nonce=args.nonce,
                issued_at=now,
            )
            if args.holder_key
            else None
        )
        presentation = create_presentation(held, disclose=args.disclose, key_binding=binding_key)
    except (ValueError, CredentialError) as error:
        detail = error.detail if isinstance(error, CredentialError) else str(error)
        raise UsageError(f"cannot present: {detail}") from None
    print(presentation.serialized)
    return 0
