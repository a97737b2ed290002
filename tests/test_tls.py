"""TLS for real: an HTTPS endpoint whose certificate a test CA signed, trusted, skipped, or not trusted at all."""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import threading

import trustme

from tests.support import Runner, S3Server, fetch


def test_a_private_ca_in_ca_bundle_is_trusted_by_the_step_and_its_proof(
    tls_s3: tuple[S3Server, trustme.CA], runner: Runner
) -> None:
    server, authority = tls_s3
    body = server.put("tls/report.txt")
    result = runner.get(server.source(ca_bundle=authority.cert_pem.bytes().decode()), {"file_path": "tls/report.txt"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.url.startswith(server.endpoint)
    assert fetch(result.url, ca_file=server.ca_file)[:2] == (200, body)


def test_a_ca_bundle_with_text_around_its_certificates_is_read(
    tls_s3: tuple[S3Server, trustme.CA], runner: Runner
) -> None:
    # As openssl and curl's bundles write them: a heading such as subject=, which may not be ASCII.
    server, authority = tls_s3
    server.put("tls/headed.txt")
    bundle = "subject=O = Société Générale, CN = Racine\n" + authority.cert_pem.bytes().decode()
    result = runner.get(server.source(ca_bundle=bundle), {"file_path": "tls/headed.txt"})
    assert result.returncode == 0, result.stderr


def test_skip_ssl_verification_signs_and_proves_without_a_warning(
    tls_s3: tuple[S3Server, trustme.CA], runner: Runner
) -> None:
    server, _ = tls_s3
    server.put("tls/skipped.txt")
    result = runner.get(server.source(skip_ssl_verification=True), {"file_path": "tls/skipped.txt"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert fetch(result.url, ca_file=server.ca_file)[0] == 200


def test_an_untrusted_certificate_fails_in_one_line(tls_s3: tuple[S3Server, trustme.CA], runner: Runner) -> None:
    server, _ = tls_s3
    server.put("tls/untrusted.txt")
    result = runner.get(server.source(), {"file_path": "tls/untrusted.txt"})
    assert result.returncode != 0
    assert re.fullmatch(
        rf"error: checking the link to s3://bucket/tls/untrusted\.txt: TLS with {re.escape(server.endpoint)} failed "
        r"\(.*certificate verify failed.*\); set source\.ca_bundle to the CA that signed its certificate\n",
        result.stderr,
    ), result.stderr


def test_the_wrong_ca_fails_in_one_line(tls_s3: tuple[S3Server, trustme.CA], runner: Runner) -> None:
    server, _ = tls_s3
    server.put("tls/wrong-ca.txt")
    another = trustme.CA().cert_pem.bytes().decode()
    result = runner.get(server.source(ca_bundle=another), {"file_path": "tls/wrong-ca.txt"})
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert "certificate verify failed" in result.stderr
    assert list(result.directory.iterdir()) == []


def test_a_listing_over_tls_uses_the_same_trust(tls_s3: tuple[S3Server, trustme.CA], runner: Runner) -> None:
    server, authority = tls_s3
    for name in ("a", "b"):
        server.put(f"tls/many/{name}.txt")
    result = runner.get(server.source(ca_bundle=authority.cert_pem.bytes().decode()), {"prefix": "tls/many/"})
    assert result.metadata["count"] == "2"


def test_a_certificate_for_another_name_fails_naming_that(runner: Runner) -> None:
    # A TLS server whose certificate, signed by a trusted CA, names another host: no retry can mend it.
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("s3.internal.example").configure_cert(context)
    listener = context.wrap_socket(socket.create_server(("127.0.0.1", 0)), server_side=True)
    port = listener.getsockname()[1]
    serving = threading.Thread(target=lambda: _handshake_once(listener), daemon=True)
    serving.start()
    source = {
        "bucket": "bucket",
        "endpoint": f"https://127.0.0.1:{port}",
        "access_key_id": "AKIDEXAMPLE",
        "secret_access_key": "secret",
        "ca_bundle": authority.cert_pem.bytes().decode(),
    }
    result = runner.get(source, {"file_path": "x.txt"})
    listener.close()
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert f"the certificate does not name the host in https://127.0.0.1:{port}" in result.stderr
    assert list(result.directory.iterdir()) == []


def _handshake_once(listener: ssl.SSLSocket) -> None:
    with contextlib.suppress(OSError):
        connection, _ = listener.accept()
        connection.close()
