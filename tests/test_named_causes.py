"""A failure names its real cause: the proxy in the way, an http:// server written as https://, a CA file missing."""

from __future__ import annotations

import http.server
from pathlib import Path

import pytest
import trustme

from tests.support import BackgroundServer, Runner, S3Server, free_port, reply


@pytest.mark.parametrize(
    ("variable", "scheme"), [("HTTP_PROXY", "http"), ("https_proxy", "https")], ids=["HTTP_PROXY", "https_proxy"]
)
def test_a_dead_proxy_is_named_not_the_endpoint(
    s3: S3Server, tls_s3: tuple[S3Server, trustme.CA], in_process: Runner, variable: str, scheme: str
) -> None:
    server = s3 if scheme == "http" else tls_s3[0]
    server.put("named/proxy.txt")
    dead = free_port()  # nothing listens there
    env = {variable: f"http://proxy-user:proxy-password@127.0.0.1:{dead}", "NO_PROXY": "", "no_proxy": ""}
    result = in_process.get(
        server.source(skip_ssl_verification=scheme == "https"), {"file_path": "named/proxy.txt"}, env=env
    )
    assert result.returncode != 0
    assert result.stderr == (
        f"error: checking the link to s3://bucket/named/proxy.txt: could not connect to the proxy "
        f"http://127.0.0.1:{dead} ({variable}) after 3 attempts; check it, or add 127.0.0.1 to NO_PROXY\n"
    )
    assert list(result.directory.iterdir()) == []


class RefusesTunnels(http.server.BaseHTTPRequestHandler):
    """A proxy that is up but cannot reach the endpoint, as a corporate proxy answers a host it may not reach."""

    def do_CONNECT(self) -> None:  # the name http.server dispatches to
        self.send_error(502, "Bad Gateway")

    def log_message(self, *_: object) -> None:
        pass


def test_a_proxy_that_cannot_reach_the_endpoint_says_so(tls_s3: tuple[S3Server, trustme.CA], runner: Runner) -> None:
    server, _ = tls_s3
    server.put("named/tunnel.txt")
    with BackgroundServer(RefusesTunnels) as proxy:
        env = {"HTTPS_PROXY": proxy.endpoint, "NO_PROXY": "", "no_proxy": ""}
        result = runner.get(server.source(skip_ssl_verification=True), {"file_path": "named/tunnel.txt"}, env=env)
    assert result.returncode != 0
    assert result.stderr == (
        f"error: checking the link to s3://bucket/named/tunnel.txt: the proxy {proxy.endpoint} (HTTPS_PROXY) did not "
        f"reach {server.endpoint} (Tunnel connection failed: 502 Bad Gateway), 3 attempts\n"
    )


@pytest.mark.parametrize("tls", [{}, {"skip_ssl_verification": True}], ids=["verified", "skip_ssl_verification"])
def test_an_https_endpoint_on_a_plain_http_server_is_told_to_use_http(
    s3: S3Server, in_process: Runner, tls: dict[str, bool]
) -> None:
    s3.put("named/plain.txt")
    written = s3.endpoint.replace("http://", "https://")
    result = in_process.get(s3.source(endpoint=written, **tls), {"file_path": "named/plain.txt"})
    assert result.returncode != 0
    assert result.stderr == (
        f"error: checking the link to s3://bucket/named/plain.txt: {written} speaks plain HTTP, not TLS; "
        f"set source.endpoint to {s3.endpoint}\n"
    )


def test_a_missing_aws_ca_bundle_is_named_as_missing(
    tls_s3: tuple[S3Server, trustme.CA], runner: Runner, tmp_path: Path
) -> None:
    server, _ = tls_s3
    server.put("named/bundle.txt")
    missing = tmp_path / "no-such-ca.pem"
    result = runner.get(server.source(), {"file_path": "named/bundle.txt"}, env={"AWS_CA_BUNDLE": str(missing)})
    assert result.returncode != 0
    assert result.stderr == (
        f"error: checking the link to s3://bucket/named/bundle.txt: TLS with {server.endpoint} could not start: "
        f"AWS_CA_BUNDLE names {missing}, which does not exist; point it at a PEM file of the CAs to trust, "
        "or unset it\n"
    )


class Portal(http.server.BaseHTTPRequestHandler):
    """A web page on every path, as a captive portal or a console on the public host answers."""

    def do_GET(self) -> None:  # the name http.server dispatches to
        reply(self, 200, "text/html", b"<html>welcome</html>")

    def log_message(self, *_: object) -> None:
        pass


@pytest.mark.parametrize(
    ("params", "where", "request_", "subject"),
    [
        ({"file_path": "named/portal.txt"}, "checking the link to s3://bucket/named/portal.txt", "link", "object"),
        (
            {"file_path": "named/portal.txt", "method": "put"},
            "checking s3://bucket for the upload",
            "listing",
            "bucket",
        ),
    ],
    ids=["get", "put"],
)
def test_a_public_host_that_is_not_s3_is_named_by_its_own_field(
    s3: S3Server, in_process: Runner, params: dict[str, str], where: str, request_: str, subject: str
) -> None:
    s3.put("named/portal.txt")
    with BackgroundServer(Portal) as public:
        result = in_process.get(s3.source(public_endpoint=public.endpoint), params)
    assert result.returncode != 0
    assert result.stderr == (
        f"error: {where}: the public_endpoint answered 200 OK with text/html to the {request_} with its signature "
        f"altered, and does not list as S3 does: it is not S3 serving the {subject}. Is source.public_endpoint a web "
        "console or a proxy?\n"
    )
