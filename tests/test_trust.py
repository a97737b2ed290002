"""The trust a step decides: the source's ca_bundle, else AWS_CA_BUNDLE, else the system's store, for S3 and STS."""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from s3_presigned.request.source import parse_source
from s3_presigned.s3 import trust
from s3_presigned.s3.session import new_session

SOURCE = {"bucket": "bucket", "endpoint": "https://127.0.0.1:9000"}


@contextlib.contextmanager
def deciding(source: dict[str, object], environ: dict[str, str]) -> Iterator[tuple[trust.Trust, object]]:
    """The store's trust, and what the session gives STS, while they are held."""
    session = new_session()
    connection = parse_source(source).connection
    with trust.trusted(connection.ca_bundle, connection.verify_ssl, session, environ) as store:
        yield store, session.get_config_variable("ca_bundle")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty /etc/ssl/certs, and no AWS_CA_BUNDLE of the machine's."""
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    certs = tmp_path / "etc-ssl-certs"
    certs.mkdir()
    monkeypatch.setattr(trust, "SYSTEM_CERTS", str(certs))
    return certs


def test_every_certificate_of_the_store_is_trusted_once(store: Path, tmp_path: Path) -> None:
    bundled, propagated, hashed = trustme.CA(), trustme.CA(), trustme.CA()
    cafile = tmp_path / "ca-certificates.crt"
    cafile.write_bytes(bundled.cert_pem.bytes())
    bundled.cert_pem.write_to_path(str(store / "also-in-the-bundle.pem"))
    propagated.cert_pem.write_to_path(str(store / "worker-ca.crt"))  # never hashed
    (store / "abcdef01.0").symlink_to("worker-ca.crt")
    directory = tmp_path / "capath"
    directory.mkdir()
    hashed.cert_pem.write_to_path(str(directory / "0123abcd.0"))  # a hashed file, not a link
    (store / "java").mkdir()
    (store / "README").write_text("not a certificate\n")
    environ = {"SSL_CERT_FILE": str(cafile), "SSL_CERT_DIR": str(directory)}
    with deciding(SOURCE, environ) as (found, sts):
        assert found.setting is None
        assert sts == found.verify
        assert isinstance(found.verify, str)
        text = Path(found.verify).read_bytes()
        for authority in (bundled, propagated, hashed):
            assert text.count(authority.cert_pem.bytes().strip()) == 1
    assert not Path(found.verify).exists()


def test_the_bundle_alone_is_trusted_where_it_holds_every_certificate(store: Path, tmp_path: Path) -> None:
    authority = trustme.CA()
    cafile = tmp_path / "ca-certificates.crt"
    cafile.write_bytes(authority.cert_pem.bytes())
    authority.cert_pem.write_to_path(str(store / "the-same.pem"))
    with deciding(SOURCE, {"SSL_CERT_FILE": str(cafile), "SSL_CERT_DIR": str(store)}) as (found, sts):
        assert found.verify == sts == str(cafile)


def test_with_no_system_store_botocores_own_cas_are_trusted(store: Path, tmp_path: Path) -> None:
    environ = {"SSL_CERT_FILE": str(tmp_path / "none.crt"), "SSL_CERT_DIR": str(store)}
    with deciding(SOURCE, environ) as (found, sts):
        assert found.verify is True
        assert sts is None


def test_ca_bundle_is_the_stores_alone(store: Path, tmp_path: Path) -> None:
    system, own = trustme.CA(), trustme.CA()
    system.cert_pem.write_to_path(str(store / "worker-ca.crt"))
    source = SOURCE | {"ca_bundle": own.cert_pem.bytes().decode()}
    with deciding(source, {"SSL_CERT_FILE": str(tmp_path / "none.crt")}) as (found, sts):
        assert found.setting == "source.ca_bundle"
        assert isinstance(found.verify, str)
        assert isinstance(sts, str)
        assert Path(found.verify).read_bytes().strip() == own.cert_pem.bytes().strip()
        assert system.cert_pem.bytes().strip() in Path(sts).read_bytes()


def test_skip_ssl_verification_is_the_stores_alone(store: Path, tmp_path: Path) -> None:
    trustme.CA().cert_pem.write_to_path(str(store / "worker-ca.crt"))
    source = SOURCE | {"skip_ssl_verification": True}
    with deciding(source, {"SSL_CERT_FILE": str(tmp_path / "none.crt")}) as (found, sts):
        assert found.verify is False
        assert isinstance(sts, str)


def test_aws_ca_bundle_comes_before_the_system_store(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trustme.CA().cert_pem.write_to_path(str(store / "worker-ca.crt"))
    bundle = tmp_path / "aws.pem"
    trustme.CA().cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("AWS_CA_BUNDLE", str(bundle))  # botocore reads it from the process's environment
    with deciding(SOURCE, {}) as (found, sts):
        assert found.verify == sts == str(bundle)
        assert found.setting is not None


@pytest.mark.timeout(60)
def test_what_is_no_certificate_in_the_store_never_stops_the_step_nor_the_rest(store: Path, tmp_path: Path) -> None:
    # A FIFO would block its reader, a device never ends, and one block OpenSSL cannot read fails the whole bundle.
    worker = trustme.CA()
    worker.cert_pem.write_to_path(str(store / "worker-ca.crt"))
    os.mkfifo(store / "pipe.pem")
    (store / "zero.pem").symlink_to("/dev/zero")
    (store / "loop.pem").symlink_to("loop.pem")
    body = b"\n".join(worker.cert_pem.bytes().strip().splitlines()[1:-1])
    malformed = (b"AAAA", b"A===", body.replace(b"\n", b"\n\n"), body[:-8], b"TWFu" * 40)
    blocks = (b"-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % text for text in malformed)
    (store / "bad.pem").write_bytes(b"".join(blocks))
    # The same CA again, as Windows writes it: trusted once.
    (store / "crlf.pem").write_bytes(worker.cert_pem.bytes().replace(b"\n", b"\r\n"))
    for cafile in ("/dev/zero", str(store / "pipe.pem"), str(tmp_path / "none.crt")):
        with deciding(SOURCE, {"SSL_CERT_FILE": cafile, "SSL_CERT_DIR": str(store)}) as (found, _):
            assert isinstance(found.verify, str)
            context = ssl.create_default_context(cafile=found.verify)
            assert len(context.get_ca_certs()) == 1


def test_the_bundle_is_held_where_a_killed_step_leaves_nothing(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No watcher removes a file after a SIGKILL; memory goes with the process, however it ends.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    worker, own = trustme.CA(), trustme.CA()
    worker.cert_pem.write_to_path(str(store / "worker-ca.crt"))
    source = SOURCE | {"ca_bundle": own.cert_pem.bytes().decode()}
    with deciding(source, {"SSL_CERT_FILE": str(tmp_path / "none.crt")}) as (found, sts):
        assert list(scratch.iterdir()) == []
        for held, authority in ((found.verify, own), (sts, worker)):
            assert isinstance(held, str)
            assert authority.cert_pem.bytes().strip() in Path(held).read_bytes()
