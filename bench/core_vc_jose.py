"""``vc+jwt`` issue and verify (VC-JOSE-COSE §3.1.1): Taito against the floor and PyJWT.

The SD-JWT reference does not do ``vc+jwt``, so the peer here is PyJWT (``jwt.encode`` and
``jwt.decode`` of the same payload and key): a plain JWS library, which checks neither the
VC Data Model rules nor ``validFrom``/``validUntil``. It shows what a JOSE library costs in
Python, not a like-for-like credential check.
"""

from datetime import timedelta
from typing import Any

import jwt as pyjwt

from bench.inputs import ISSUER, NOW, bench_key, raw_sign, raw_signature_of, raw_verify, vc_document
from bench.report import Section, Table, seconds, times
from bench.timing import Budget, Contender, compare, ratio
from credentials.jws import parse_compact
from credentials.keys import ALGORITHMS, Algorithm
from credentials.resolvers import PinnedKeys
from credentials.vc_jose import issue_vc_jwt, verify_vc_jwt


def run(budget: Budget) -> Section:
    """Time ``issue_vc_jwt`` and ``verify_vc_jwt`` for ES256 and EdDSA."""
    section = Section(
        "Core: vc+jwt (W3C VC 2.0, 12 subject claims)", ".venv/bin/python -m bench --only core"
    )
    table = Table(
        "Median time per operation",
        (
            "operation",
            "alg",
            "floor",
            "Taito",
            "PyJWT",
            "Taito ÷ floor",
            "Taito over floor",
            "PyJWT ÷ Taito",
        ),
    )
    for alg in ("ES256", "EdDSA"):
        for operation, contenders in _plans(alg):
            t = compare(contenders, budget)
            table.add(
                operation,
                alg,
                seconds(t["floor"].median),
                seconds(t["taito"].median),
                seconds(t["peer"].median),
                times(ratio(t, "taito", "floor")),
                seconds(t["taito"].median - t["floor"].median),
                times(ratio(t, "peer", "taito")),
            )
    section.tables.append(table)
    section.reading.append(
        "vc+jwt carries no Disclosures: Taito's cost above the signature is one strict JSON "
        "parse, the VC DM 2.0 checks (context, types, issuer, subjects, dateTimeStamp "
        "parsing) and time checks; PyJWT's is its generic claim handling."
    )
    return section


def _plans(alg: Algorithm) -> list[tuple[str, tuple[Contender, ...]]]:
    key = bench_key(alg)
    credential = vc_document(ISSUER)
    token = issue_vc_jwt(credential, key=key.taito, issued_at=NOW)
    resolver = PinnedKeys({ISSUER: [key.taito.public]})
    later = NOW + timedelta(seconds=5)

    def verify() -> Any:
        return verify_vc_jwt(
            token,
            resolve_issuer_key=resolver,
            now=later,
            clock_tolerance=timedelta(seconds=60),
            algorithms=ALGORITHMS,
        )

    verified = verify()
    if verified.issuer != ISSUER or verified.subject_id != "did:example:aino":
        raise AssertionError(f"vc+jwt {alg}: the credential did not verify as expected")
    parsed = parse_compact(token)
    signature = raw_signature_of(parsed.signature, alg)
    public = key.raw.public_key()
    payload = {**credential, "iat": int(NOW.timestamp())}
    headers = {"typ": "vc+jwt", "kid": key.taito.kid}
    peer_token = pyjwt.encode(payload, key.raw, algorithm=alg, headers=headers)
    decoded = pyjwt.decode(peer_token, public, algorithms=[alg], options={"verify_iat": False})
    if decoded["issuer"] != ISSUER:
        raise AssertionError(f"PyJWT {alg}: the token did not round-trip")

    def peer_issue() -> str:
        return pyjwt.encode(payload, key.raw, algorithm=alg, headers=headers)

    return [
        (
            "issue",
            (
                Contender("floor", lambda: raw_sign(key.raw, parsed.signing_input)),
                Contender("taito", lambda: issue_vc_jwt(credential, key=key.taito, issued_at=NOW)),
                Contender("peer", peer_issue),
            ),
        ),
        (
            "verify",
            (
                Contender("floor", lambda: raw_verify(public, signature, parsed.signing_input)),
                Contender("taito", verify),
                Contender(
                    "peer",
                    lambda: pyjwt.decode(
                        peer_token, public, algorithms=[alg], options={"verify_iat": False}
                    ),
                ),
            ),
        ),
    ]
