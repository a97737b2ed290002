"""TLS for real: an HTTPS endpoint whose certificate a test CA signed, trusted, skipped, or not trusted at all.

The CA is trusted through ``ca_bundle``, ``AWS_CA_BUNDLE``, or the system's store, a directory of the test's.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
import trustme

from tests.support import Runner, S3Server, fetch
from tests.system_store import SystemStoreRunner


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
    # Then the port is closed: a retry would be refused, and the step's look for plain HTTP there ends at once.
    with contextlib.suppress(OSError):
        connection, _ = listener.accept()
        connection.close()
    listener.close()


@pytest.mark.parametrize("junk", [False, True], ids=["alone", "beside-what-is-no-certificate"])
def test_a_private_ca_in_the_system_store_is_trusted_with_no_ca_bundle(
    tls_s3: tuple[S3Server, trustme.CA], system_store: SystemStoreRunner, *, junk: bool
) -> None:
    # As Concourse propagates a worker's certificates: a PEM file under any name, that nothing hashed. Beside
    # it, a FIFO would block its reader, a device never end, and a block OpenSSL cannot read fail the bundle.
    server, authority = tls_s3
    body = server.put("tls/system.txt")
    authority.cert_pem.write_to_path(str(system_store.certs / "worker-ca.crt"))
    if junk:
        os.mkfifo(system_store.certs / "pipe.pem")
        (system_store.certs / "zero.pem").symlink_to("/dev/zero")
        (system_store.certs / "broken.pem").write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    bound = {"S3_PRESIGNED_STEP_SECONDS": "30"}
    result = system_store.get(server.source(), {"file_path": "tls/system.txt"}, env=bound)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert curl(result.url, server.ca_file) == body


def test_a_system_store_without_the_ca_fails_in_one_line_and_ca_bundle_comes_first(
    tls_s3: tuple[S3Server, trustme.CA], system_store: SystemStoreRunner
) -> None:
    server, authority = tls_s3
    server.put("tls/not-in-store.txt")
    trustme.CA().cert_pem.write_to_path(str(system_store.certs / "another-ca.pem"))
    result = system_store.get(server.source(), {"file_path": "tls/not-in-store.txt"})
    assert re.fullmatch(
        rf"error: checking the link to s3://bucket/tls/not-in-store\.txt: TLS with {re.escape(server.endpoint)} "
        r"failed \(.*certificate verify failed.*\); set source\.ca_bundle to the CA that signed its certificate\n",
        result.stderr,
    ), result.stderr
    assert list(result.directory.iterdir()) == []
    source = server.source(ca_bundle=authority.cert_pem.bytes().decode())
    assert system_store.get(source, {"file_path": "tls/not-in-store.txt"}).returncode == 0


def test_aws_ca_bundle_is_trusted_over_the_system_store(
    tls_s3: tuple[S3Server, trustme.CA], system_store: SystemStoreRunner
) -> None:
    server, authority = tls_s3
    server.put("tls/aws-bundle.txt")
    env = {"AWS_CA_BUNDLE": str(server.ca_file)}
    assert system_store.get(server.source(), {"file_path": "tls/aws-bundle.txt"}, env=env).returncode == 0
    # With the CA in the store, an AWS_CA_BUNDLE of another CA still decides.
    authority.cert_pem.write_to_path(str(system_store.certs / "worker-ca.crt"))
    another = system_store.tmp_path / "another-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(another))
    result = system_store.get(server.source(), {"file_path": "tls/aws-bundle.txt"}, env={"AWS_CA_BUNDLE": str(another)})
    assert result.stderr.endswith(
        "; the certificate is not signed by the CA in AWS_CA_BUNDLE (or ca_bundle in the AWS config)\n"
    ), result.stderr
    assert result.stderr.count("\n") == 1


def test_ssl_cert_file_names_the_systems_bundle(
    tls_s3: tuple[S3Server, trustme.CA], system_store: SystemStoreRunner
) -> None:
    # As OpenSSL, curl and Go read it, from the environment Concourse gives the step.
    server, _ = tls_s3
    server.put("tls/cert-file.txt")
    result = system_store.get(
        server.source(), {"file_path": "tls/cert-file.txt"}, env={"SSL_CERT_FILE": str(server.ca_file)}
    )
    assert result.returncode == 0, result.stderr


def curl(url: str, ca_file: Path) -> bytes:
    """Fetch a link as a person would, with curl, trusting only ``ca_file``."""
    command = ["curl", "--silent", "--show-error", "--fail", "--cacert", str(ca_file), url]
    return subprocess.run(command, capture_output=True, check=True, timeout=30).stdout
