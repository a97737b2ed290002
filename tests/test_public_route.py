"""A link for a public host the step cannot reach goes to the endpoint, its Host kept, as a proxy sends it."""

from __future__ import annotations

import http.server
from typing import ClassVar

import pytest

from s3_presigned.s3.transport import Transport
from s3_presigned.s3.trust import Trust
from tests.support import BackgroundServer


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.headers["Host"], self.path))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.mark.parametrize(
    ("link", "host"),
    [
        ("http://files.example:8080/bucket/a%20b?X-Amz-Signature=0", "files.example:8080"),
        ("http://bucket.files.example:8080/a%20b?X-Amz-Signature=0", "bucket.files.example:8080"),
    ],
)
def test_a_routed_link_reaches_the_endpoint_with_its_own_host_and_path(link: str, host: str) -> None:
    _Recorder.seen.clear()
    with BackgroundServer(_Recorder) as endpoint:
        transport = Transport(Trust(verify=True), {})
        transport.route("http://files.example:8080", endpoint.endpoint)
        assert transport.send(link).status == 200
    assert _Recorder.seen == [(host, link.partition(":8080")[2])]


def test_a_link_for_another_host_is_not_routed() -> None:
    with BackgroundServer(_Recorder) as endpoint:
        transport = Transport(Trust(verify=True), {})
        transport.route("http://files.example:8080", "http://127.0.0.1:9")
        _Recorder.seen.clear()
        assert transport.send(f"{endpoint.endpoint}/x").status == 200
    assert _Recorder.seen == [(endpoint.endpoint.removeprefix("http://"), "/x")]


def test_reaches_tells_a_listener_from_a_closed_port() -> None:
    with BackgroundServer(_Recorder) as endpoint:
        transport = Transport(Trust(verify=True), {})
        assert transport.reaches(endpoint.endpoint)
    assert not transport.reaches(endpoint.endpoint)


def test_each_host_goes_through_the_proxy_the_environment_sets_for_it() -> None:
    # endpoint is in NO_PROXY and public_endpoint is not, as an internal store behind a public name is set up
    with BackgroundServer(_Recorder) as proxy, BackgroundServer(_Recorder) as endpoint:
        environ = {
            "HTTP_PROXY": proxy.endpoint,
            "http_proxy": proxy.endpoint,
            "NO_PROXY": "127.0.0.1",
            "no_proxy": "127.0.0.1",
        }
        transport = Transport(Trust(verify=True), environ)
        _Recorder.seen.clear()
        assert transport.send(f"{endpoint.endpoint}/bucket/x").status == 200
        assert transport.send("http://files.example:8080/bucket/x").status == 200
    assert _Recorder.seen == [
        (endpoint.endpoint.removeprefix("http://"), "/bucket/x"),
        ("files.example:8080", "http://files.example:8080/bucket/x"),
    ]
