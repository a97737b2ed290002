"""The source's TLS settings are the store's alone: STS keeps AWS_CA_BUNDLE, or else the system's store."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import trustme

from tests.support import ACCESS_KEY, SECRET_KEY, Runner, free_port, wait_for_port
from tests.system_store import SystemStoreRunner

ROLE_ARN = "arn:aws:iam::123456789012:role/artifact-sharing"
SOURCE = {
    "bucket": "my-bucket",
    "region": "eu-west-2",
    "access_key_id": ACCESS_KEY,
    "secret_access_key": SECRET_KEY,
    "role_arn": ROLE_ARN,
}
PARAMS = {"file_path": "a.txt", "verify": False}


@pytest.fixture(scope="module")
def tls_sts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, trustme.CA, Path]]:
    """moto's server standing in for STS over HTTPS, its certificate signed by a CA no system trusts."""
    moto = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    if moto is None:
        pytest.fail("moto_server is not installed: pip install 'moto[server]' (make test does)")
    authority = trustme.CA()
    keys = tmp_path_factory.mktemp("sts-tls")
    certificate = authority.issue_cert("127.0.0.1")
    certificate.private_key_pem.write_to_path(str(keys / "key.pem"))
    certificate.cert_chain_pems[0].write_to_path(str(keys / "cert.pem"))
    authority.cert_pem.write_to_path(str(keys / "ca.pem"))
    port = free_port()
    log = (keys / "moto.log").open("wb")
    command = [moto, "-H", "127.0.0.1", "-p", str(port), "-c", str(keys / "cert.pem"), "-k", str(keys / "key.pem")]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process)
        yield f"https://127.0.0.1:{port}", authority, keys / "ca.pem"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.mark.parametrize(
    "tls",
    [{"skip_ssl_verification": True}, {"ca_bundle": "the CA that signed STS's certificate"}],
    ids=["skip_ssl_verification", "ca_bundle"],
)
def test_the_stores_tls_settings_do_not_reach_sts(
    runner: Runner, tls_sts: tuple[str, trustme.CA, Path], tls: dict[str, Any]
) -> None:
    endpoint, authority, _ = tls_sts
    if "ca_bundle" in tls:
        tls = {"ca_bundle": authority.cert_pem.bytes().decode()}
    result = runner.get(SOURCE | tls, PARAMS, env={"AWS_ENDPOINT_URL_STS": endpoint})
    assert result.returncode != 0
    assert re.fullmatch(
        rf"error: assuming role {re.escape(ROLE_ARN)}: TLS with STS at {re.escape(endpoint)} failed "
        r"\(.*certificate verify failed.*\); STS is trusted through the system's CAs or AWS_CA_BUNDLE, "
        r"not source\.ca_bundle or skip_ssl_verification\n",
        result.stderr,
    ), result.stderr
    assert list(result.directory.iterdir()) == []


def test_aws_ca_bundle_is_how_sts_is_trusted(runner: Runner, tls_sts: tuple[str, trustme.CA, Path]) -> None:
    endpoint, _, ca_file = tls_sts
    env = {"AWS_ENDPOINT_URL_STS": endpoint, "AWS_CA_BUNDLE": str(ca_file)}
    result = runner.get(SOURCE | {"skip_ssl_verification": True}, PARAMS, env=env)
    assert result.returncode == 0, result.stderr
    credential = parse_qs(urlsplit(result.url).query)["X-Amz-Credential"][0]
    assert not credential.startswith(ACCESS_KEY)  # signed by the role's session, which STS issued over TLS


def test_a_missing_aws_ca_bundle_is_named_for_sts_too(
    runner: Runner, tls_sts: tuple[str, trustme.CA, Path], tmp_path: Path
) -> None:
    endpoint, _, _ = tls_sts
    missing = tmp_path / "no-such-ca.pem"
    env = {"AWS_ENDPOINT_URL_STS": endpoint, "AWS_CA_BUNDLE": str(missing)}
    result = runner.get(SOURCE, PARAMS, env=env)
    assert result.stderr == (
        f"error: assuming role {ROLE_ARN}: AWS_CA_BUNDLE names {missing}, which does not exist; point it at a PEM "
        "file of the CAs to trust, or unset it\n"
    )


def test_sts_trusts_a_private_ca_in_the_system_store(
    system_store: SystemStoreRunner, tls_sts: tuple[str, trustme.CA, Path]
) -> None:
    endpoint, authority, _ = tls_sts
    authority.cert_pem.write_to_path(str(system_store.certs / "worker-ca.crt"))
    result = system_store.get(SOURCE, PARAMS, env={"AWS_ENDPOINT_URL_STS": endpoint})
    assert result.returncode == 0, result.stderr
    credential = parse_qs(urlsplit(result.url).query)["X-Amz-Credential"][0]
    assert not credential.startswith(ACCESS_KEY)
