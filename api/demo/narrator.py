"""The narrator of ``taito demo``: makes each HTTP request, prints it as a curl line, explains.

Every request is printed as one line a reader can paste into a shell against the same instance
(each argument quoted with :func:`shlex.quote`; the JSON body is exactly the bytes sent). Then the
answer's status and its key facts. A request that does not answer as the story expects stops the
story with :class:`StoryFailed`, naming the step and the problem's ``code``.
"""

import json
import shlex
import textwrap
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, TextIO

import httpx

WIDTH = 100


class StoryFailed(Exception):
    """The instance did not answer as the story expects."""


def curl_line(method: str, url: str, *, headers: Mapping[str, str], body_text: str | None) -> str:
    """One shell line that makes the same request with curl."""
    parts = ["curl", "-sS"]
    if method != "GET":
        parts += ["-X", method]
    parts.append(url)
    for name, value in headers.items():
        parts += ["-H", f"{name}: {value}"]
    if body_text is not None:
        parts += ["-H", "Content-Type: application/json", "-d", body_text]
    return " ".join(shlex.quote(part) for part in parts)


class Narrator:
    """Tells the story on ``out`` while making its requests with ``client``."""

    def __init__(self, client: httpx.Client, *, url: str, out: TextIO, steps: int) -> None:
        self.client = client
        self.url = url.rstrip("/")
        self.out = out
        self.steps = steps
        self.number = 0

    def say(self, text: str = "", *, indent: str = "") -> None:
        """A paragraph, wrapped."""
        if not text:
            print(file=self.out)
            return
        wrapped = textwrap.fill(text, width=WIDTH, initial_indent=indent, subsequent_indent=indent)
        print(wrapped, file=self.out, flush=True)

    def step(self, title: str, why: str) -> None:
        """Start the next step: its title and why it matters."""
        self.number += 1
        heading = f"== Step {self.number} of {self.steps}: {title} "
        print(f"\n{heading}{'=' * max(3, WIDTH - len(heading))}", file=self.out)
        self.say(why)

    def fact(self, text: str) -> None:
        """A key fact of the answer."""
        self.say(text, indent="     ")

    def note(self, text: str) -> None:
        """A remark about pasting the line (single-use values, replays)."""
        self.say("Note: " + text, indent="   ")

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        expect: int = 200,
    ) -> Any:
        """Make the request, print it as curl and its status; return the JSON answer."""
        sent = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        text = None if body is None else json.dumps(body, ensure_ascii=False, indent=None)
        print(file=self.out)
        print(
            "$ " + curl_line(method, self.url + path, headers=sent, body_text=text), file=self.out
        )
        request_headers = dict(sent)
        if text is not None:
            request_headers["Content-Type"] = "application/json"
        try:
            response = self.client.request(
                method,
                path,
                headers=request_headers,
                content=None if text is None else text.encode("utf-8"),
            )
        except httpx.HTTPError as error:
            raise StoryFailed(f"cannot reach {self.url}: {error}; is it running?") from None
        phrase = HTTPStatus(response.status_code).phrase
        print(f"  -> {response.status_code} {phrase}", file=self.out, flush=True)
        answer = response.json() if response.content else None
        if response.status_code != expect:
            code = answer.get("code") if isinstance(answer, dict) else None
            detail = answer.get("detail") if isinstance(answer, dict) else None
            raise StoryFailed(
                f"step {self.number} expected {expect}, got {response.status_code}"
                + (f" ({code}: {detail})" if code else "")
            )
        return answer
