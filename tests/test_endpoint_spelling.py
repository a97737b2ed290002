"""The proof sends a link as curl does, and an endpoint in any spelling gives a link that curl fetches."""

from __future__ import annotations

import http.server
import os
import subprocess
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import botocore.session
import pytest
from botocore.config import Config
from hypothesis import given, settings
from hypothesis import strategies as st

from s3_presigned.s3.transport import Transport
from s3_presigned.s3.trust import Trust
from tests.support import ACCESS_KEY, SECRET_KEY, BackgroundServer, Runner, S3Server, examples


class RecordsRequests(http.server.BaseHTTPRequestHandler):
    """Answers 200 to any GET, and records its request target and Host header as they arrived."""

    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:  # the name http.server dispatches to
        self.seen.append((self.path, self.headers.get("Host")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def recorder() -> Iterator[BackgroundServer]:
    with BackgroundServer(RecordsRequests) as server:
        yield server


def as_written(url: str) -> tuple[str, str]:
    """The request target and Host header a URL gives as it is written, without a default port."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else ""), parts.netloc


def sent_by_the_proof(url: str) -> tuple[str, str | None]:
    RecordsRequests.seen.clear()
    assert Transport(Trust(verify=True), os.environ).send(url).status == 200
    return RecordsRequests.seen[-1]


def sent_by_curl(url: str) -> tuple[str, str | None]:
    RecordsRequests.seen.clear()
    subprocess.run(["curl", "--silent", "--output", "/dev/null", "--max-time", "10", url], check=True)
    return RecordsRequests.seen[-1]


@pytest.mark.parametrize(
    "written",
    [
        "http://127.0.0.1:{port}/bucket/a%7Eb/c%20d.txt?X-Amz-Credential=AKID%2F20260101&x-id=GetObject",
        "http://localhost:{port}/bucket/key",
        # curl keeps the host's case; so does the proof, where urllib3 would lower-case it.
        "http://LOCALHOST:{port}/bucket/key",
    ],
)
def test_the_proof_sends_the_target_and_host_that_curl_sends(recorder: BackgroundServer, written: str) -> None:
    url = written.format(port=recorder.port)
    sent = sent_by_the_proof(url)
    assert sent == as_written(url)
    assert sent == sent_by_curl(url)


@pytest.fixture(scope="module")
def signer(recorder: BackgroundServer) -> Any:
    return botocore.session.get_session().create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url=recorder.endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


@settings(max_examples=examples(50), deadline=None)
@given(key=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40))
def test_the_proof_sends_a_signed_link_exactly_as_signed(signer: Any, key: str) -> None:
    url = signer.generate_presigned_url("get_object", Params={"Bucket": "bucket", "Key": key}, ExpiresIn=60)
    assert sent_by_the_proof(url) == as_written(url)


def curl_fetches(url: str) -> tuple[int, bytes]:
    completed = subprocess.run(
        ["curl", "--silent", "--max-time", "10", "--write-out", "\n%{http_code}", url], capture_output=True, check=True
    )
    body, _, status = completed.stdout.rpartition(b"\n")
    return int(status), body


@pytest.mark.parametrize(
    ("host", "spelled"),
    [
        ("LOCALHOST", "localhost"),
        ("LocalHost", "localhost"),
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
    ],
)
def test_a_green_link_works_for_curl_whatever_the_endpoints_spelling(
    s3: S3Server, in_process: Runner, host: str, spelled: str
) -> None:
    # botocore signed the host as written, which curl and browsers send otherwise: a green step with a dead link.
    # source.endpoint is now spelled as they send it before anything is signed.
    body = s3.put("spelling/file.txt")
    port = s3.endpoint.rpartition(":")[2]
    result = in_process.get(s3.source(endpoint=f"http://{host}:{port}"), {"file_path": "spelling/file.txt"})
    assert result.returncode == 0, result.stderr
    assert result.url.startswith(f"http://{spelled}:{port}/")
    assert curl_fetches(result.url) == (200, body)


def test_a_spelling_clients_read_differently_fails_in_one_line(s3: S3Server, runner: Runner) -> None:
    port = s3.endpoint.rpartition(":")[2]
    result = runner.get(s3.source(endpoint=f"http://127.0.0.1.:{port}"), {"file_path": "spelling/file.txt"})
    assert result.returncode != 0
    assert result.stderr == (
        "error: source.endpoint: the host '127.0.0.1.' ends in a dot; write it without, as '127.0.0.1'\n"
    )
    assert list(result.directory.iterdir()) == []
