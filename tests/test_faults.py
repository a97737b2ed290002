"""Faults survived or reported cleanly: closed ports, silent servers, 5xx, clock skew, many steps at once.

How a step reads a server's answers (retries, 5xx, its clock) runs in-process; a closed port, a silent server,
debug logging and many steps at once run the generated scripts.
"""

from __future__ import annotations

import email.utils
import http.server
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from s3_presigned.s3.sigv4 import BatchSigner
from s3_presigned.s3.transport import ANSWER_VARIABLE, MAX_ATTEMPTS
from tests.support import (
    ACCESS_KEY,
    ROOT,
    SECRET_KEY,
    BackgroundServer,
    Runner,
    S3Server,
    examples,
    fetch,
    free_port,
    leaks,
)

# Three attempts of a 1 s answer, plus the retry back-off, with room for a slow machine.
HANG_BUDGET_SECONDS = 30


def fake_source(port: int) -> dict[str, str]:
    return {
        "bucket": "bucket",
        "endpoint": f"http://127.0.0.1:{port}",
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
    }


class FakeS3(BackgroundServer):
    """An HTTP server on loopback that answers GET as told, counting the requests that carry a valid signature.

    Like any store, it refuses a wrong signature: the step proves a link by seeing that the same link with its
    signature altered is refused.
    """

    def __init__(self, answer: Callable[[int], tuple[int, dict[str, str]]]) -> None:
        self.requests = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = f"http://{self.headers['Host']}{self.path}"
                key = unquote(urlsplit(url).path.removeprefix("/bucket/"))
                if not BatchSigner(url, key, "GET", SECRET_KEY, {}).agrees:
                    self.send_response_only(403)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                owner.requests += 1
                status, headers = answer(owner.requests)
                self.send_response_only(status)
                for name, value in ({"Content-Length": "0"} | headers).items():
                    self.send_header(name, value)
                self.end_headers()
                if 200 <= status < 300:
                    self.wfile.write(b"h")  # the first byte of "hello", as a ranged GET asks

            def log_message(self, *_: object) -> None:
                pass

        super().__init__(Handler)


def object_headers(date_offset: float = 0) -> dict[str, str]:
    return {
        "Content-Length": "1",
        "Content-Range": "bytes 0-0/5",
        "Content-Type": "text/plain",
        "ETag": '"0123456789abcdef0123456789abcdef"',
        "Last-Modified": "Thu, 01 Jan 2026 00:00:00 GMT",
        "Date": email.utils.formatdate(time.time() + date_offset, usegmt=True),
    }


def test_closed_port_fails_fast_naming_the_endpoint(runner: Runner) -> None:
    port = free_port()
    started = time.monotonic()
    result = runner.get(fake_source(port), {"file_path": "a.txt"})
    elapsed = time.monotonic() - started
    assert result.returncode != 0
    assert elapsed < 15
    assert f"could not connect to http://127.0.0.1:{port}" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_server_that_never_answers_fails_within_the_budget(runner: Runner, silent_server: int) -> None:
    started = time.monotonic()
    # The bound of one answer, shortened as only the environment can: the same bound, three attempts of it.
    env = {ANSWER_VARIABLE: "1"}
    result = runner.get(fake_source(silent_server), {"file_path": "a.txt"}, env=env, timeout=HANG_BUDGET_SECONDS + 15)
    elapsed = time.monotonic() - started
    assert result.returncode != 0
    assert elapsed < HANG_BUDGET_SECONDS
    assert f"http://127.0.0.1:{silent_server}" in result.stderr
    assert f"did not answer in full within 1 s, {MAX_ATTEMPTS} attempts" in result.stderr
    assert list(result.directory.iterdir()) == []


def test_500_then_200_succeeds_through_the_retry(in_process: Runner) -> None:
    with FakeS3(lambda n: (500, {}) if n == 1 else (206, object_headers())) as server:
        result = in_process.get(fake_source(server.port), {"file_path": "a.txt"})
    assert result.returncode == 0, result.stderr
    assert server.requests == 2
    assert result.metadata["etag"] == "0123456789abcdef0123456789abcdef"  # an MD5, as S3 shapes it
    assert result.metadata["size"] == "5"  # the whole object's, from Content-Range, not the one byte fetched
    assert result.url.startswith(f"http://127.0.0.1:{server.port}/bucket/a.txt?")


def test_503_slow_down_for_good_fails_after_the_bounded_attempts(in_process: Runner) -> None:
    with FakeS3(lambda _: (503, {})) as server:
        result = in_process.get(fake_source(server.port), {"file_path": "a.txt"})
    assert result.returncode != 0
    assert server.requests == 3
    assert result.stderr.startswith("error: checking the link to s3://bucket/a.txt: S3 answered 503")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(("offset", "direction"), [(600, "ahead of"), (-600, "behind")])
def test_clock_skew_is_warned_about(in_process: Runner, offset: int, direction: str) -> None:
    with FakeS3(lambda _: (200, object_headers(date_offset=offset))) as server:
        result = in_process.get(fake_source(server.port), {"file_path": "a.txt"})
    assert result.returncode == 0, result.stderr
    # The Date header counts whole seconds, so the skew read from it is within a second or two of the offset.
    warning = re.fullmatch(
        rf"warning: the S3 server's clock is (\d+) s {direction} this machine's; .*\n", result.stderr
    )
    assert warning is not None, result.stderr
    assert 598 <= int(warning.group(1)) <= 602


def test_no_warning_when_clocks_agree(in_process: Runner) -> None:
    with FakeS3(lambda _: (200, object_headers(date_offset=5))) as server:
        result = in_process.get(fake_source(server.port), {"file_path": "a.txt"})
    assert result.returncode == 0
    assert result.stderr == ""


def test_many_steps_at_once(s3: S3Server, runner: Runner, tmp_path: Path) -> None:
    # More steps than run at any one time, each with its own files and URL: fifty in CI's run, and locally eight,
    # four for each of two cores.
    count = 50 if examples(50) == 50 else 8
    bodies = {f"parallel/{n}.txt": s3.put(f"parallel/{n}.txt") for n in range(count)}

    def one(key: str) -> tuple[str, str]:
        result = runner.get(s3.source(), {"file_path": key}, directory=tmp_path / key.replace("/", "-"))
        return key, result.url

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        urls = dict(pool.map(one, bodies))
    assert len(set(urls.values())) == len(bodies)
    for key, url in urls.items():
        assert fetch(url)[1] == bodies[key]


def test_nothing_leaks_with_debug_logging_forced_on(s3: S3Server, runner: Runner, tmp_path: Path) -> None:
    # A caller that turns on every debug switch it can: Python logging at DEBUG from a sitecustomize,
    # and botocore's own logger set to DEBUG with a handler of its own.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)\n"
        "botocore_logger = logging.getLogger('botocore')\n"
        "botocore_logger.setLevel(logging.DEBUG)\n"
        "botocore_logger.addHandler(logging.StreamHandler(sys.stderr))\n"
    )
    s3.put("debug/file.txt")
    env = {"PYTHONPATH": f"{site}:{ROOT}", "AWS_DEBUG": "1", "BOTO_DEBUG": "1"}
    result = runner.get(
        s3.source(session_token="DebugSessionToken/with+chars"), {"file_path": "debug/file.txt"}, env=env
    )
    assert result.returncode == 0, result.stderr
    assert not leaks(result, extra_markers=("DebugSessionToken/with+chars",))
    assert "Authorization" not in result.stderr
