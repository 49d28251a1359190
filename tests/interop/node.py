"""An independent implementation in tests: Node scripts on the OpenID Foundation's libraries.

The packages are installed by ``npm ci`` in ``tests/interop/oid4vp`` and
``tests/interop/oid4vci`` (each with its ``package.json`` and lockfile; ``.ci/run`` does it).
Tests skip with a clear message only where ``node`` is absent, never in CI (``CI=true``): there a
missing Node or package fails the test.
"""

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

PACKAGES = Path(__file__).resolve().parent / "oid4vp"
OID4VCI_PACKAGES = Path(__file__).resolve().parent / "oid4vci"
NODE_TIMEOUT = 60


def require_node(packages: Path = PACKAGES) -> str:
    """The ``node`` executable and installed ``packages``; skip (outside CI) or fail (in CI)."""
    node = shutil.which("node")
    missing = None
    library = "openid4vp" if packages == PACKAGES else "openid4vci"
    if node is None:
        missing = "node is not installed: the OpenID4VC interoperability tests need Node.js"
    elif not (packages / "node_modules" / "@openid4vc" / library).is_dir():
        missing = (
            f"run `npm ci` in tests/interop/{packages.name} to install the interoperability "
            "packages"
        )
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    assert node is not None
    return node


def run_node(script: str, argument: dict[str, Any]) -> dict[str, Any]:
    """Run ``script`` of ``tests/interop/oid4vp`` with one JSON argument; its JSON output."""
    node = require_node()
    done = subprocess.run(  # noqa: S603 - our own script, no shell
        [node, script, json.dumps(argument)],
        cwd=PACKAGES,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[str]:
    """``app`` served on 127.0.0.1:``port`` in a thread; its base URL. Stopped on exit."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextmanager
def node_server(
    script: str, argument: dict[str, Any], *, packages: Path = PACKAGES
) -> Iterator[subprocess.Popen[str]]:
    """``script`` of ``packages`` running in the background (it prints JSON lines); stopped on
    exit."""
    node = require_node(packages)
    process = subprocess.Popen(  # noqa: S603 - our own script, no shell
        [node, script, json.dumps(argument)],
        cwd=packages,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=NODE_TIMEOUT)


def read_line(process: subprocess.Popen[str]) -> dict[str, Any]:
    """The next JSON line the script prints (its stderr if it ended instead)."""
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=NODE_TIMEOUT)
        stderr = process.stderr.read() if process.stderr else ""
        raise AssertionError(f"the script printed nothing more: {stderr[-2000:]}")
    result: dict[str, Any] = json.loads(line)
    return result
