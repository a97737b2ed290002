"""Helpers for the tests: the S3 server, the script runner, the leak scan and HTTP fetches."""

from __future__ import annotations

import contextlib
import html
import http.server
import io
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import boto3
import pytest
from botocore.config import Config
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
ACCESS_KEY = "AKIAFAKEKEYFORTESTS01"
# Distinctive, and with the characters that break naive quoting in URLs and logs.
SECRET_KEY = "fAkE/sEcReT+kEy/s3PreSiGnEd+tEsT/0123456789"
SESSION_TOKEN = "FaKeSeSsIoNtOkEn/with+slash/and+plus=="
BUCKET = "bucket"
BUILD_ENV = {
    "BUILD_ID": "42",
    "BUILD_NAME": "7",
    "BUILD_JOB_NAME": "share",
    "BUILD_PIPELINE_NAME": "artifacts",
    "BUILD_TEAM_NAME": "main",
    "ATC_EXTERNAL_URL": "https://ci.example.com",
}
VERSION = {"execution_date": "1767225600"}
# What must never appear outside the URL files: the keys, and every part of a signature.
LEAK_MARKERS = (SECRET_KEY, SESSION_TOKEN, "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token")
URL_FILES = ("url", "urls.json", "manifest.json", "index.html", "fields.json", "upload.html")
URL_PATTERN = re.compile(r"https?://[^\s\"]+")


class BackgroundServer:
    """An HTTP server on a free port of 127.0.0.1, answering on threads while the ``with`` block runs."""

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler]) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def reply(handler: http.server.BaseHTTPRequestHandler, status: int, content_type: str, body: bytes) -> None:
    """Answer a test server's request with a whole body of one type."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def examples(wanted: int) -> int:
    """As many examples as a test wants where the profile runs that many (CI's), and the profile's number elsewhere."""
    return min(wanted, settings().max_examples)


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited early with code {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"server did not listen on 127.0.0.1:{port} within {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a server: asked first, then told. How long a busy machine takes to end it is nothing a test asserts."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class S3Server:
    """An rclone S3 server on loopback, serving a directory whose first level is buckets."""

    endpoint: str
    root: Path
    ca_file: Path | None = None  # the CA that signed an HTTPS server's certificate

    def client(self, secret: str = SECRET_KEY) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=secret,
            # rclone wants a Content-Length, which boto3's streamed checksums over HTTPS do not send.
            config=Config(s3={"addressing_style": "path"}, request_checksum_calculation="when_required"),
            verify=str(self.ca_file) if self.ca_file else None,
        )

    def ensure_bucket(self, bucket: str) -> None:
        # Through the S3 API: rclone caches directory listings, so a folder made on disk shows up late.
        if not (self.root / bucket).is_dir():
            self.client().create_bucket(Bucket=bucket)

    def put(self, key: str, body: bytes = b"", bucket: str = BUCKET) -> bytes:
        body = body or f"contents of {key}".encode()
        self.client().put_object(Bucket=bucket, Key=key, Body=body)
        return body

    def source(self, **overrides: Any) -> dict[str, Any]:
        return {
            "bucket": BUCKET,
            "endpoint": self.endpoint,
            "access_key_id": ACCESS_KEY,
            "secret_access_key": SECRET_KEY,
        } | overrides


@dataclass
class StepResult:
    """What one run of a script left behind."""

    returncode: int
    stdout: str
    stderr: str
    directory: Path
    request: dict[str, Any]

    @classmethod
    def of(
        cls, completed: subprocess.CompletedProcess[str], directory: Path, request: dict[str, Any] | str
    ) -> StepResult:
        return cls(
            completed.returncode,
            completed.stdout,
            completed.stderr,
            directory,
            request if isinstance(request, dict) else {},
        )

    @property
    def response(self) -> dict[str, Any]:
        assert self.returncode == 0, self.stderr
        parsed: dict[str, Any] = json.loads(self.stdout)
        return parsed

    @property
    def metadata(self) -> dict[str, str]:
        return {pair["name"]: pair["value"] for pair in self.response["metadata"]}

    def file(self, name: str) -> str:
        assert self.returncode == 0, self.stderr
        return (self.directory / name).read_text(encoding="utf-8")

    @property
    def url(self) -> str:
        return self.file("url")


@dataclass
class Runner:
    """Runs the generated scripts the way Concourse does, and remembers every run for the leak scan."""

    assets: Path
    tmp_path: Path
    runs: list[StepResult] = field(default_factory=list)
    python: Path = Path(sys.executable)  # the interpreter that runs the scripts

    def run(
        self,
        step: str,
        request: dict[str, Any] | str,
        *,
        env: dict[str, str] | None = None,
        directory: Path | None = None,
        timeout: float = 120,
    ) -> StepResult:
        directory = directory or self.tmp_path / f"{step}-{len(self.runs)}"
        directory.mkdir(parents=True, exist_ok=True)
        stdin = request if isinstance(request, str) else json.dumps(request)
        result = StepResult.of(self.execute(step, stdin, directory, env, timeout), directory, request)
        self.runs.append(result)
        return result

    def execute(
        self, step: str, stdin: str, directory: Path, env: dict[str, str] | None, timeout: float
    ) -> subprocess.CompletedProcess[str]:
        """Run the step's script as a subprocess."""
        return subprocess.run(
            [str(self.python), str(self.assets / step), str(directory)],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.environment(env),
            cwd=self.tmp_path,
            timeout=timeout,
            check=False,
        )

    def environment(self, extra: dict[str, str] | None) -> dict[str, str]:
        """The step's environment: Concourse's, and the source tree on the path."""
        return step_environment(extra)

    def get(self, source: dict[str, Any], params: dict[str, Any] | None, **kwargs: Any) -> StepResult:
        request: dict[str, Any] = {"source": source, "version": VERSION}
        if params is not None:
            request["params"] = params
        return self.run("in", request, **kwargs)


@dataclass
class InProcessRunner(Runner):
    """Runs a step through ``envelope.run`` in this process, with the streams a script would have: for pure validation.

    A few tests run the same requests through the scripts, to prove that both are wired the same way. With a
    resource over :mod:`tests.fake_s3`'s bucket, it runs the get's own logic without a store.
    """

    resource: Any = None  # the resource type; PresignedUrlResource, over the network, unless a test sets another

    def execute(
        self,
        step: str,
        stdin: str,
        directory: Path,
        env: dict[str, str] | None,
        timeout: float,  # noqa: ARG002  # the same signature as the scripts' runner
    ) -> subprocess.CompletedProcess[str]:
        """Run the step through ``envelope.run`` in this process."""
        from s3_presigned.resource import PresignedUrlResource  # noqa: PLC0415  # the same
        from s3_presigned.steps import envelope  # noqa: PLC0415  # the tests of the scripts need not import it

        stdout, stderr = io.StringIO(), io.StringIO()
        argv = [str(self.assets / step), str(directory)]
        environ = step_environment(env)
        with process_environment(environ):
            code = envelope.run(
                self.resource or PresignedUrlResource, step, io.StringIO(stdin), stdout, stderr, argv, environ
            )
        return subprocess.CompletedProcess(argv, code, stdout.getvalue(), stderr.getvalue())


@contextlib.contextmanager
def process_environment(environ: dict[str, str]) -> Iterator[None]:
    """This process's environment replaced by a step's while it runs, as a script's is: botocore reads this one."""
    kept = dict(os.environ)
    os.environ.clear()
    os.environ.update(environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(kept)


def step_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment: no AWS settings of the machine's leak into a test, the BUILD_* variables are set."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env |= BUILD_ENV | {
        "PYTHONPATH": str(ROOT),
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return env | (extra or {})


def leaks(result: StepResult, extra_markers: tuple[str, ...] = ()) -> list[str]:
    """Every secret marker found where Concourse would store or show it: stdout, stderr and the non-URL files."""
    params = result.request.get("params")
    url_names = set(URL_FILES) | {params.get("url_file", "url") if isinstance(params, dict) else "url"}
    places = {"stdout": result.stdout, "stderr": result.stderr}
    urls: set[str] = set()
    for path in result.directory.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.name in url_names:
                urls.update(URL_PATTERN.findall(html.unescape(text)))
            else:
                places[str(path.relative_to(result.directory))] = text
    markers = LEAK_MARKERS + extra_markers + tuple(urls)
    return [f"{marker[:40]}... in {place}" for place, text in places.items() for marker in markers if marker in text]


def fetch(
    url: str,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    ca_file: Path | None = None,
) -> tuple[int, bytes, dict[str, str]]:
    """Fetch a URL; HTTP errors come back as their status, not as exceptions."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # loopback only
    context = ssl.create_default_context(cafile=str(ca_file)) if ca_file else None
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:  # loopback only
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def parse_disposition(header: str) -> tuple[str, str | None]:
    """Decode a Content-Disposition header as a browser does: filename* wins over filename."""
    kind, _, rest = header.partition(";")
    plain = re.search(r'filename="((?:[^"\\]|\\.)*)"', rest)
    extended = re.search(r"filename\*=UTF-8''([^;\s]+)", rest)
    if extended:
        return kind.strip(), urllib.parse.unquote(extended.group(1), errors="strict")
    if plain:
        return kind.strip(), re.sub(r"\\(.)", r"\1", plain.group(1))
    return kind.strip(), None
