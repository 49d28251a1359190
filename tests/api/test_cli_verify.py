"""``taito verify`` and ``taito issue`` as the gate's command-line door (issue 12 items).

Key binding by default and never satisfied by a bare ``vc+jwt``; the status list read through
the fetcher, "not checked" a rejection unless ``--offline``; a one-line error for a DID issuer
without ``--kid``; SD-JWT VCs with a ``kid`` header; a start that imports no web application.
"""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from api.cli import verify as cli_verify
from credentials.jws import parse_compact
from credentials.keys import private_key_from_jwk
from credentials.sd_jwt import split_sd_jwt
from credentials.sd_jwt_disclosable import mark_paths
from credentials.sd_jwt_issuer import random_salt
from credentials.sd_jwt_vc import issue_sd_jwt_vc
from credentials.status_list import StatusList, sign_status_list_token
from tests.api.test_cli_credentials import AUD, ISS, VCT, issue, present, run, verify
from tests.api.test_cli_credentials import files as files  # the key and claims files
from tests.service.test_verifiers_support import FakeFetcher

STATUS_URI = "https://college.example/status/1"


def test_a_bare_vc_jwt_is_refused_when_key_binding_is_required(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    credential = issue(capsys, files, "--format", "vc+jwt")
    code, report = verify(
        capsys, files, credential, "--aud", AUD, "--nonce", "n-1", "--require-key-binding"
    )
    assert code == 1 and report["verified"] is False
    assert report["error"]["code"] == "format_not_accepted"


def test_key_binding_is_required_by_default(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    credential = issue(capsys, files, "--sd", "given_name")
    assert main(["verify", str(credential), "--issuer-key", str(files / "issuer.jwk")]) == 2
    assert "--aud and --nonce" in capsys.readouterr().err
    code, report = verify(capsys, files, credential, "--aud", AUD, "--nonce", "n-1")
    assert code == 1 and report["error"]["code"] == "key_binding_required"


def _credential_with_status(files: Path) -> Path:
    key = private_key_from_jwk(json.loads((files / "issuer.jwk").read_text()))
    holder_key = private_key_from_jwk(json.loads((files / "holder.jwk").read_text()))
    now = datetime.now(UTC)
    issued = issue_sd_jwt_vc(
        mark_paths({"given_name": "Aino"}, ["given_name"]),
        issuer=ISS,
        vct=VCT,
        issued_at=now - timedelta(minutes=1),
        issuer_key=key,
        salt=random_salt,
        holder_key=holder_key.public,
        status={"status_list": {"idx": 3, "uri": STATUS_URI}},
    )
    path = files / "with-status.txt"
    path.write_text(issued.serialized)
    return path


def _serve_status(files: Path, monkeypatch: pytest.MonkeyPatch, status: int | None) -> FakeFetcher:
    fetcher = FakeFetcher()
    if status is not None:
        key = private_key_from_jwk(json.loads((files / "issuer.jwk").read_text()))
        now = datetime.now(UTC)
        token = sign_status_list_token(
            StatusList.empty(bits=2, size=1024).with_status(3, status),
            key=key,
            sub=STATUS_URI,
            iat=now - timedelta(minutes=1),
            exp=now + timedelta(hours=1),
            ttl=None,
        )
        fetcher.documents[STATUS_URI] = token.encode("ascii")
    monkeypatch.setattr(cli_verify, "make_fetcher", lambda: fetcher)
    return fetcher


def _status(report: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in report["checks"] if c["check"] == "status")
    return found


def test_verify_reads_the_status_list_and_rejects_a_revoked_presentation(
    capsys: pytest.CaptureFixture[str], files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetcher = _serve_status(files, monkeypatch, status=1)
    presentation = present(capsys, files, _credential_with_status(files), "given_name")
    code, report = verify(capsys, files, presentation, "--aud", AUD, "--nonce", "n-1")
    assert code == 1 and _status(report)["code"] == "credential_revoked"
    assert fetcher.calls == {STATUS_URI: 1}


def test_verify_passes_a_valid_status(
    capsys: pytest.CaptureFixture[str], files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve_status(files, monkeypatch, status=0)
    presentation = present(capsys, files, _credential_with_status(files), "given_name")
    code, report = verify(capsys, files, presentation, "--aud", AUD, "--nonce", "n-1")
    assert code == 0 and _status(report)["outcome"] == "passed"


def test_an_unreachable_status_list_is_not_checked_and_exits_1(
    capsys: pytest.CaptureFixture[str], files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve_status(files, monkeypatch, status=None)
    presentation = present(capsys, files, _credential_with_status(files), "given_name")
    argv = ["verify", str(presentation), "--issuer-key", str(files / "issuer.jwk")]
    code = main([*argv, "--aud", AUD, "--nonce", "n-1"])
    captured = capsys.readouterr()
    assert code == 1 and _status(json.loads(captured.out))["code"] == "status_unavailable"
    assert "status not checked" in captured.err and "--offline" in captured.err


def test_offline_skips_the_status_and_says_so(
    capsys: pytest.CaptureFixture[str], files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetcher = _serve_status(files, monkeypatch, status=1)
    presentation = present(capsys, files, _credential_with_status(files), "given_name")
    code, report = verify(capsys, files, presentation, "--aud", AUD, "--nonce", "n-1", "--offline")
    assert code == 0 and report["verified"] is True
    assert _status(report) == {
        "check": "status",
        "outcome": "skipped",
        "code": "status_not_checked_offline",
        "reason": "The status was not checked: the verification ran offline.",
    }
    assert fetcher.calls == {}


def test_issuing_a_vc_jwt_for_a_did_issuer_without_kid_is_a_one_line_usage_error(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    argv = ["issue", "--key", str(files / "issuer.jwk"), "--iss", "did:web:college.example"]
    argv += ["--vct", VCT, "--claims", str(files / "claims.json"), "--format", "vc+jwt"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and "--kid" in captured.err


def test_a_did_issuer_sets_its_key_id_with_kid_and_the_credential_verifies(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    did = "did:web:college.example"
    argv = ["issue", "--key", str(files / "issuer.jwk"), "--iss", did, "--kid", f"{did}#key-1"]
    argv += ["--vct", VCT, "--claims", str(files / "claims.json"), "--format", "vc+jwt"]
    code, out = run(capsys, *argv)
    assert code == 0
    assert parse_compact(out.strip()).header["kid"] == f"{did}#key-1"
    (files / "did.txt").write_text(out)
    code, report = verify(capsys, files, files / "did.txt", "--no-key-binding")
    assert code == 0 and report["issuer"] == did


def test_issued_sd_jwt_vc_carries_the_issuer_key_id(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    credential = issue(capsys, files, "--sd-all").read_text().strip()
    header = parse_compact(split_sd_jwt(credential).issuer_jwt).header
    issuer_jwk = json.loads((files / "issuer.jwk").read_text())
    assert header["kid"] == private_key_from_jwk(issuer_jwk).kid


def test_taito_verify_imports_no_web_application_database_or_server() -> None:
    probe = (
        "import sys\n"
        "from api.cli import main\n"
        "main(['verify', '/nonexistent', '--issuer-key', '/nonexistent'])\n"
        "heavy = {'fastapi', 'starlette', 'sqlmodel', 'sqlalchemy', 'uvicorn', 'alembic', "
        "'httpx', 'pydantic_settings', 'argon2'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed program
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def _vp_jwt(capsys: pytest.CaptureFixture[str], files: Path, nonce: str) -> Path:
    """A vp+jwt of a vc+jwt: ``taito present`` without ``--disclose`` wraps it whole."""
    return present(capsys, files, issue(capsys, files, "--format", "vc+jwt"), nonce=nonce)


@pytest.mark.parametrize(
    "nonce,key,check,code",
    [
        ("other-nonce", "issuer.jwk", "kb_nonce", "vp_nonce_mismatch"),
        ("n-1", "other.jwk", "signature", "algorithm_key_mismatch"),
    ],
)
def test_a_vp_jwt_fails_the_check_it_breaks(
    capsys: pytest.CaptureFixture[str], files: Path, nonce: str, key: str, check: str, code: str
) -> None:
    presentation = _vp_jwt(capsys, files, nonce)
    status, report = verify(capsys, files, presentation, "--aud", AUD, "--nonce", "n-1", key=key)
    assert status == 1 and report["verified"] is False
    assert (report["error"]["check"], report["error"]["code"]) == (check, code)
