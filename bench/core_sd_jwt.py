"""SD-JWT VC issue, present and verify: Taito against its signature floor and the reference.

Inputs (:mod:`bench.inputs`): twelve subject claims, ten of them selectively disclosable, three
decoy digests, a holder key in ``cnf``; the presentation discloses three claims and carries a
KB-JWT for our audience and nonce; verification requires Key Binding. Each operation is timed
three ways in the same rounds:

- *floor*: the signatures the operation needs, by ``cryptography`` alone on the same bytes
  (issue and present: one signature; verify: the issuer's and the KB-JWT's signature checks);
- *Taito*: the public functions of :mod:`credentials` a service calls; verification with its
  key-import cache emptied before each operation (:mod:`bench.key_caches`), because the
  reference imports the holder key from ``cnf`` every time; the same verification with a warm
  cache is timed beside it, for what the cache saves;
- *reference*: ``sd-jwt`` (:mod:`bench.reference`) on the same claims and keys.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bench import profiling
from bench.inputs import (
    AUDIENCE,
    DISCLOSED_IN_PRESENTATION,
    ISSUER,
    NONCE,
    NOW,
    PLAIN_SUBJECT_CLAIMS,
    VCT,
    BenchKey,
    bench_key,
    raw_sign,
    raw_signature_of,
    raw_verify,
    subject_claims,
)
from bench.key_caches import clear_key_caches, warm_key_cache
from bench.reference import issue as reference_issue
from bench.reference import present as reference_present
from bench.reference import reference_claims
from bench.reference import verifier as reference_verifier
from bench.report import Section, Table, TargetCheck, seconds, times
from bench.timing import Budget, Contender, Timing, compare, ratio
from credentials.jws import parse_compact
from credentials.kb_jwt import KeyBindingPolicy
from credentials.keys import ALGORITHMS, Algorithm
from credentials.resolvers import PinnedKeys
from credentials.sd_jwt import split_sd_jwt
from credentials.sd_jwt_disclosable import SD
from credentials.sd_jwt_holder import HolderBinding, create_presentation, open_sd_jwt
from credentials.sd_jwt_issuer import random_decoys, random_salt
from credentials.sd_jwt_vc import (
    VC_TYP,
    VCTyp,
    VerifiedCredential,
    issue_sd_jwt_vc,
    verify_sd_jwt_vc,
)

VERIFY_WITHIN_FLOOR = 1.4
ACCEPTED_TYP: tuple[VCTyp, ...] = (VC_TYP,)
FASTER_THAN_REFERENCE = 2.0


@dataclass(frozen=True)
class _Case:
    """Everything one algorithm's three operations need, built once."""

    alg: Algorithm
    issuer: BenchKey
    holder: BenchKey
    marked: dict[str, Any]
    reference_marked: dict[str, Any]


def _case(alg: Algorithm) -> _Case:
    claims = subject_claims()
    marked = {k: v if k in PLAIN_SUBJECT_CLAIMS else SD(v) for k, v in claims.items()}
    iat = int(NOW.timestamp())
    return _Case(
        alg,
        bench_key(alg),
        bench_key(alg),
        marked,
        reference_claims(claims, plain=PLAIN_SUBJECT_CLAIMS, iat=iat),
    )


def _issue(case: _Case) -> str:
    return issue_sd_jwt_vc(
        case.marked,
        issuer=ISSUER,
        vct=VCT,
        issued_at=NOW,
        issuer_key=case.issuer.taito,
        salt=random_salt,
        holder_key=case.holder.taito.public,
        decoys=random_decoys(minimum=3, maximum=3),
        header={"kid": case.issuer.taito.kid},
    ).serialized


def _present(case: _Case, issuance: str) -> str:
    held = open_sd_jwt(issuance)
    return create_presentation(
        held,
        disclose=DISCLOSED_IN_PRESENTATION,
        key_binding=HolderBinding(case.holder.taito, AUDIENCE, NONCE, NOW),
    ).serialized


def _verify(case: _Case, presentation: str) -> VerifiedCredential:
    return verify_sd_jwt_vc(
        presentation,
        resolve_issuer_key=PinnedKeys({ISSUER: [case.issuer.taito.public]}),
        algorithms=ALGORITHMS,
        accepted_typ=ACCEPTED_TYP,
        now=NOW + timedelta(seconds=5),
        clock_tolerance=timedelta(seconds=60),
        key_binding=KeyBindingPolicy(required=True, audience=AUDIENCE, nonce=NONCE),
    )


def _verify_cold(case: _Case, presentation: str) -> VerifiedCredential:
    clear_key_caches()
    return _verify(case, presentation)


def _verify_warm(case: _Case, presentation: str) -> VerifiedCredential:
    with warm_key_cache():
        return _verify(case, presentation)


def _check(case: _Case, verified: VerifiedCredential, reference_payload: dict[str, Any]) -> None:
    # A benchmark that measures a broken operation is worse than none: both sides must agree.
    expected = {name: subject_claims()[name] for name in DISCLOSED_IN_PRESENTATION}
    shown = {k: v for k, v in verified.claims.items() if k in subject_claims()}
    plain = {name: subject_claims()[name] for name in PLAIN_SUBJECT_CLAIMS}
    if shown != {**expected, **plain} or not verified.key_binding_verified:
        raise AssertionError(f"Taito {case.alg}: the presentation did not verify as expected")
    reference_shown = {k: v for k, v in reference_payload.items() if k in subject_claims()}
    if reference_shown != shown:
        raise AssertionError(f"reference {case.alg}: disclosed claims differ from Taito's")


@dataclass(frozen=True)
class _Result:
    operation: str
    alg: Algorithm
    timings: dict[str, Timing]
    contenders: tuple[Contender, ...]


def _operations(case: _Case, budget: Budget) -> list[_Result]:
    issuance = _issue(case)
    presentation = _present(case, issuance)
    ref_issuance = reference_issue(case.reference_marked, case.issuer, case.holder)
    ref_presentation = reference_present(ref_issuance, DISCLOSED_IN_PRESENTATION, case.holder)
    ref_verify = reference_verifier(case.issuer, case.alg)
    _check(case, _verify_cold(case, presentation), ref_verify(ref_presentation))

    issuer_jws = parse_compact(split_sd_jwt(issuance).issuer_jwt)
    parts = split_sd_jwt(presentation)
    assert parts.kb_jwt is not None
    kb_jws = parse_compact(parts.kb_jwt)
    issuer_public = case.issuer.raw.public_key()
    holder_public = case.holder.raw.public_key()
    presented_jws = parse_compact(parts.issuer_jwt)
    issuer_sig = raw_signature_of(presented_jws.signature, case.alg)
    kb_sig = raw_signature_of(kb_jws.signature, case.alg)

    def floor_verify() -> None:
        raw_verify(issuer_public, issuer_sig, presented_jws.signing_input)
        raw_verify(holder_public, kb_sig, kb_jws.signing_input)

    plans: Sequence[tuple[str, tuple[Contender, ...]]] = (
        (
            "issue",
            (
                Contender("floor", lambda: raw_sign(case.issuer.raw, issuer_jws.signing_input)),
                Contender("taito", lambda: _issue(case)),
                Contender(
                    "reference",
                    lambda: reference_issue(case.reference_marked, case.issuer, case.holder),
                ),
            ),
        ),
        (
            "present (3 of 10, KB-JWT)",
            (
                Contender("floor", lambda: raw_sign(case.holder.raw, kb_jws.signing_input)),
                Contender("taito", lambda: _present(case, issuance)),
                Contender(
                    "reference",
                    lambda: reference_present(ref_issuance, DISCLOSED_IN_PRESENTATION, case.holder),
                ),
            ),
        ),
        (
            "verify with KB",
            (
                Contender("floor", floor_verify),
                Contender("taito", lambda: _verify_cold(case, presentation)),
                Contender("reference", lambda: ref_verify(ref_presentation)),
                Contender("taito, warm key cache", lambda: _verify_warm(case, presentation)),
            ),
        ),
    )
    return [
        _Result(name, case.alg, compare(contenders, budget), contenders)
        for name, contenders in plans
    ]


def run(budget: Budget, *, profile_misses: bool) -> Section:
    """Measure issue, present and verify for ES256 and EdDSA; check the issue's targets."""
    section = Section(
        "Core: SD-JWT VC (12 claims, 10 disclosable, 3 decoys; present 3 with KB-JWT)",
        ".venv/bin/python -m bench --only core",
    )
    table = Table(
        "Median time per operation; ratios are medians of same-round ratios",
        (
            "operation",
            "alg",
            "floor",
            "Taito",
            "reference",
            "Taito ÷ floor",
            "Taito over floor",
            "reference ÷ Taito",
            "Taito, warm key cache",
        ),
    )
    results: list[_Result] = []
    for alg in ("ES256", "EdDSA"):
        results.extend(_operations(_case(alg), budget))
    for result in results:
        t = result.timings
        table.add(
            result.operation,
            result.alg,
            seconds(t["floor"].median),
            seconds(t["taito"].median),
            seconds(t["reference"].median),
            times(ratio(t, "taito", "floor")),
            seconds(t["taito"].median - t["floor"].median),
            times(ratio(t, "reference", "taito")),
            seconds(t["taito, warm key cache"].median) if "taito, warm key cache" in t else "",
        )
    section.tables.append(table)
    missed: list[_Result] = []
    for result in results:
        checks = _targets(result)
        section.targets.extend(checks)
        if any(check.met is False for check in checks):
            missed.append(result)
    section.reading.extend(_reading(results))
    if profile_misses:
        section.reading.extend(_profiles(missed))
    return section


def _targets(result: _Result) -> list[TargetCheck]:
    t = result.timings
    checks = []
    if result.operation == "verify with KB":
        within = ratio(t, "taito", "floor")
        checks.append(
            TargetCheck(
                f"verify with KB ({result.alg}) within {VERIFY_WITHIN_FLOOR}x "
                "its two signature checks, cold key cache",
                times(within),
                within <= VERIFY_WITHIN_FLOOR,
            )
        )
    if result.operation in ("verify with KB", "issue"):
        speedup = ratio(t, "reference", "taito")
        checks.append(
            TargetCheck(
                f"{result.operation} ({result.alg}) at least {FASTER_THAN_REFERENCE:.0f}x "
                "faster than the reference",
                f"{times(speedup)} faster",
                speedup >= FASTER_THAN_REFERENCE,
            )
        )
    return checks


def _reading(results: list[_Result]) -> list[str]:
    by_key = {(r.operation, r.alg): r.timings for r in results}
    lines = []
    for alg in ("ES256", "EdDSA"):
        verify = by_key[("verify with KB", alg)]
        issue = by_key[("issue", alg)]
        lines.append(
            f"{alg}: verification spends {seconds(verify['floor'].median)} in its two signature "
            f"checks and {seconds(verify['taito'].median - verify['floor'].median)} in "
            "everything else (strict base64url/JSON parsing, 13 digests, Disclosure rules, "
            "the holder key imported from cnf, time and KB claims); issuance spends "
            f"{seconds(issue['taito'].median - issue['floor'].median)} beyond its one "
            "signature (10 salts and Disclosures, 13 digests, JSON, base64url)."
        )
    lines.append(
        "Signature floors on this machine: one signature "
        f"{seconds(by_key[('issue', 'ES256')]['floor'].median)} (ES256) and "
        f"{seconds(by_key[('issue', 'EdDSA')]['floor'].median)} (EdDSA); two checks "
        f"{seconds(by_key[('verify with KB', 'ES256')]['floor'].median)} (ES256) and "
        f"{seconds(by_key[('verify with KB', 'EdDSA')]['floor'].median)} (EdDSA). Taito's "
        "overhead above the floor is Python work of roughly fixed size, so the ratio is "
        "lowest where the signatures are slowest."
    )
    lines.append(
        "Verification is timed with Taito's key-import cache emptied before each operation "
        "(bench/key_caches.py), as the reference imports the holder key from cnf every time; "
        "the issuer key is imported once on both sides. The last column is the same "
        "verification with the cache warm: "
        + "; ".join(
            f"{alg} {seconds(by_key[('verify with KB', alg)]['taito, warm key cache'].median)}"
            for alg in ("ES256", "EdDSA")
        )
        + "."
    )
    lines.append(
        "The reference spends most of its extra time in jwcrypto (JWS object model, JWK "
        "import per verification) and, while verifying, does less: no exp/nbf/iat, typ, "
        "strict encoding or size checks."
    )
    return lines


def _profiles(missed: list[_Result]) -> list[str]:
    lines: list[str] = []
    for result in missed:
        taito = next(c for c in result.contenders if c.name == "taito")
        timings = result.timings
        found = profiling.profile(taito.run, seconds=2.0, operation=timings["taito"].median)
        title = f"Profile of Taito {result.operation} ({result.alg}), a missed target:"
        if found is None:
            lines.append(f"{title} not taken (pyinstrument is not installed).")
            continue
        lines.append(title)
        lines.extend(found.lines())
        crypto = dict(found.categories).get("crypto", 0.0) / found.total if found.total else 0.0
        lines.append(
            f"  - against the table: crypto (signatures, key import) is {crypto:.0%} of the "
            f"profile; the signature floor is {1 / ratio(timings, 'taito', 'floor'):.0%} of "
            "Taito's time in the table"
        )
    return lines
