"""The offline credential CLI: keygen, issue, present, verify, and interop through files.

Other conformant implementations: the SD-JWT reference implementation (PyPI ``sd-jwt``) and
joserfc (VC-JOSE) verify what ``taito issue`` prints, and ``taito verify`` accepts theirs.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from jwcrypto.jwk import JWK  # type: ignore[import-untyped]
from sd_jwt.common import SDObj  # type: ignore[import-untyped]
from sd_jwt.issuer import SDJWTIssuer  # type: ignore[import-untyped]
from sd_jwt.verifier import SDJWTVerifier  # type: ignore[import-untyped]

from api.cli import main
from credentials.keys import private_key_from_jwk

ISS = "https://college.example"
VCT = "https://taito.example/types/competence/v1"
AUD = "https://employer.example"
CLAIMS: dict[str, Any] = {
    "given_name": "Aino",
    "family_name": "Virtanen",
    "title": "Vocational qualification in information and communications technology",
    "awarding_body": {"name": "Omnia", "country": "FI"},
    "skills": [
        {"uri": "http://data.europa.eu/esco/skill/a", "label": "Python"},
        {"uri": "http://data.europa.eu/esco/skill/b", "label": "SQL"},
    ],
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.fixture
def files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    for name, alg in (("issuer.jwk", "ES256"), ("holder.jwk", "ES256"), ("other.jwk", "EdDSA")):
        code, out = run(capsys, "keygen", "--alg", alg)
        assert code == 0
        (tmp_path / name).write_text(out)
    (tmp_path / "claims.json").write_text(json.dumps(CLAIMS))
    return tmp_path


def issue(capsys: pytest.CaptureFixture[str], files: Path, *extra: str) -> Path:
    code, out = run(
        capsys,
        "issue",
        "--key",
        str(files / "issuer.jwk"),
        "--iss",
        ISS,
        "--vct",
        VCT,
        "--claims",
        str(files / "claims.json"),
        "--holder-key",
        str(files / "holder.jwk"),
        *extra,
    )
    assert code == 0
    path = files / "credential.txt"
    path.write_text(out)
    return path


def present(
    capsys: pytest.CaptureFixture[str],
    files: Path,
    credential: Path,
    *paths: str,
    nonce: str = "n-1",
) -> Path:
    disclose = [arg for path in paths for arg in ("--disclose", path)]
    code, out = run(
        capsys,
        "present",
        str(credential),
        *disclose,
        "--holder-key",
        str(files / "holder.jwk"),
        "--aud",
        AUD,
        "--nonce",
        nonce,
    )
    assert code == 0
    path = files / "presentation.txt"
    path.write_text(out)
    return path


def verify(
    capsys: pytest.CaptureFixture[str],
    files: Path,
    path: Path,
    *extra: str,
    key: str = "issuer.jwk",
) -> tuple[int, dict[str, Any]]:
    code, out = run(capsys, "verify", str(path), "--issuer-key", str(files / key), *extra)
    report: dict[str, Any] = json.loads(out)
    return code, report


@pytest.mark.parametrize("alg,kty", [("EdDSA", "OKP"), ("ES256", "EC")])
def test_keygen_prints_a_private_jwk_for_the_algorithm(
    capsys: pytest.CaptureFixture[str], alg: str, kty: str
) -> None:
    code, out = run(capsys, "keygen", "--alg", alg)
    jwk = json.loads(out)
    assert code == 0 and jwk["kty"] == kty and jwk["alg"] == alg and "d" in jwk
    assert private_key_from_jwk(jwk).alg == alg


def test_presentation_of_chosen_paths_verifies_to_exactly_those_claims(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    credential = issue(capsys, files, "--sd-all", "--decoys", "3")
    presentation = present(
        capsys, files, credential, "given_name", "skills[1]", "awarding_body.country"
    )
    code, report = verify(
        capsys, files, presentation, "--aud", AUD, "--nonce", "n-1", "--require-key-binding"
    )
    assert code == 0 and report["verified"] is True
    assert report["format"] == "dc+sd-jwt" and report["issuer"] == ISS and report["vct"] == VCT
    claims = report["claims"]
    assert claims["given_name"] == "Aino"
    assert claims["awarding_body"] == {"country": "FI"}
    assert claims["skills"] == [CLAIMS["skills"][1]]
    assert "family_name" not in claims and "title" not in claims


def test_verify_rejects_a_wrong_nonce_with_exit_status_1_and_its_code(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    presentation = present(capsys, files, issue(capsys, files, "--sd-all"), "given_name")
    code, report = verify(
        capsys, files, presentation, "--aud", AUD, "--nonce", "other", "--require-key-binding"
    )
    assert code == 1 and report["verified"] is False and report["format"] == "dc+sd-jwt"
    assert report["error"]["check"] == "kb_nonce"
    assert report["error"]["code"] == "kb_nonce_mismatch"
    assert report["claims"] == {}


def test_verify_rejects_another_issuers_key(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    code, report = verify(capsys, files, issue(capsys, files), "--no-key-binding", key="other.jwk")
    assert code == 1 and report["error"]["code"] == "algorithm_key_mismatch"
    assert report["error"]["check"] == "signature"


def test_key_binding_required_but_absent_is_rejected(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    credential = issue(capsys, files, "--sd", "given_name")
    code, report = verify(
        capsys, files, credential, "--aud", AUD, "--nonce", "n", "--require-key-binding"
    )
    assert code == 1 and report["error"]["code"] == "key_binding_required"


def test_usage_errors_exit_with_status_2(capsys: pytest.CaptureFixture[str], files: Path) -> None:
    assert (
        main(["verify", str(files / "missing.txt"), "--issuer-key", str(files / "issuer.jwk")]) == 2
    )
    assert (
        main(
            [
                "verify",
                str(files / "claims.json"),
                "--issuer-key",
                str(files / "issuer.jwk"),
                "--require-key-binding",
            ]
        )
        == 2
    )
    with pytest.raises(SystemExit) as exited:
        main(["issue", "--key", "x"])
    assert exited.value.code == 2
    assert "missing" in capsys.readouterr().err


def test_vc_jwt_is_issued_presented_as_vp_jwt_and_verified(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    credential = issue(capsys, files, "--format", "vc+jwt", "--expires-in", "3600")
    code, report = verify(capsys, files, credential, "--no-key-binding")
    assert code == 0 and report["format"] == "vc+jwt"
    assert report["claims"]["given_name"] == "Aino"
    code, out = run(
        capsys,
        "present",
        str(credential),
        "--holder-key",
        str(files / "holder.jwk"),
        "--aud",
        AUD,
        "--nonce",
        "n-2",
    )
    assert code == 0
    (files / "vp.txt").write_text(out)
    code, report = verify(capsys, files, files / "vp.txt", "--aud", AUD, "--nonce", "n-2")
    assert code == 0 and report["format"] == "vp+jwt"
    assert report["credentials"][0]["issuer"] == ISS


def test_reference_implementation_verifies_taito_issue_output(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    presentation = present(
        capsys,
        files,
        issue(capsys, files, "--sd-all"),
        "given_name",
        "skills[0]",
        nonce="ref-nonce",
    )
    issuer_public = JWK.from_json(
        json.dumps(private_key_from_jwk(json.loads((files / "issuer.jwk").read_text())).public.jwk)
    )
    verifier = SDJWTVerifier(
        presentation.read_text().strip(), lambda _iss, _h: issuer_public, AUD, "ref-nonce"
    )
    payload = verifier.get_verified_payload()
    assert payload["given_name"] == "Aino"
    assert payload["skills"] == [CLAIMS["skills"][0]]
    assert "family_name" not in payload


def test_taito_verify_accepts_an_sd_jwt_vc_from_the_reference_implementation(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    issuer_jwk = json.loads((files / "issuer.jwk").read_text())
    import time

    user_claims = {
        "iss": ISS,
        "vct": VCT,
        "iat": int(time.time()),
        SDObj("given_name"): "Aino",
        SDObj("family_name"): "Virtanen",
    }
    issued = SDJWTIssuer(
        user_claims,
        JWK.from_json(json.dumps(issuer_jwk)),
        sign_alg="ES256",
        extra_header_parameters={"typ": "dc+sd-jwt"},
    )
    path = files / "reference.txt"
    path.write_text(issued.sd_jwt_issuance)
    code, report = verify(capsys, files, path, "--no-key-binding")
    assert code == 0 and report["claims"]["family_name"] == "Virtanen"


def test_joserfc_verifies_taito_vc_jwt_and_taito_verifies_joserfc_vc_jwt(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    from joserfc import jwk, jwt

    issuer_jwk = json.loads((files / "issuer.jwk").read_text())
    token = issue(capsys, files, "--format", "vc+jwt").read_text().strip()
    decoded = jwt.decode(token, jwk.import_key(issuer_jwk), algorithms=["ES256"])
    assert decoded.header["typ"] == "vc+jwt" and decoded.claims["issuer"] == ISS

    theirs = jwt.encode(
        {"alg": "ES256", "typ": "vc+jwt", "kid": issuer_jwk["kid"]},
        {**decoded.claims, "credentialSubject": {"given_name": "Aino"}},
        jwk.import_key(issuer_jwk),
        algorithms=["ES256"],
    )
    (files / "theirs.txt").write_text(theirs)
    code, report = verify(capsys, files, files / "theirs.txt", "--no-key-binding")
    assert code == 0 and report["claims"] == {"given_name": "Aino"}
