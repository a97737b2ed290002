"""The store tier's servers: real S3 implementations, each started on 127.0.0.1 once a session, in parallel.

rclone and moto come with the test requirements; Ceph radosgw, SeaweedFS, JuiceFS and LocalStack come from
``make stores`` (scripts/install-stores). A store that is not installed is skipped with the reason, or fails the
tier where S3_PRESIGNED_REQUIRE_STORES=1. Telemetry and usage reports are off, and every listener is on loopback.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Self

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.support import ACCESS_KEY, ROOT, SECRET_KEY, free_port

STORES_BIN = ROOT / ".stores" / "venv" / "bin"
REQUIRED = os.environ.get("S3_PRESIGNED_REQUIRE_STORES") == "1"
PLAIN = "plain"
VERSIONED = "versioned"
START_SECONDS = 120  # Ceph's three daemons take about 15 s; a loaded machine may take several times as long
# LocalStack checks a presigned URL against the secret of its default account, whatever the access key.
LOCALSTACK_SECRET = "test"


class StoreUnavailableError(Exception):
    """The store is not installed here: the reason, for a skip or, where the tier is required, a failure."""


@dataclass
class Store:
    """One running store, and how long it took to start."""

    name: str
    version: str
    endpoint: str
    secret_key: str = SECRET_KEY
    started_in: float = 0.0

    @property
    def checks_signatures(self) -> bool:
        return KINDS[self.name].checks_signatures

    @property
    def versioning(self) -> bool:
        return KINDS[self.name].versioning

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=self.secret_key,
            config=Config(
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 1},
            ),
        )

    def source(self, bucket: str = PLAIN, **overrides: Any) -> dict[str, Any]:
        return {
            "bucket": bucket,
            "endpoint": self.endpoint,
            "access_key_id": ACCESS_KEY,
            "secret_access_key": self.secret_key,
        } | overrides

    def put(self, key: str, body: bytes, bucket: str = PLAIN) -> str | None:
        """Store an object; return its version id where the bucket keeps versions."""
        answer = self.client().put_object(Bucket=bucket, Key=key, Body=body)
        return answer.get("VersionId")

    def read(self, key: str, bucket: str = PLAIN) -> tuple[bytes, str]:
        """Return an object's bytes and its Content-Type."""
        answer = self.client().get_object(Bucket=bucket, Key=key)
        return answer["Body"].read(), answer.get("ContentType", "")


class Launch:
    """Starts a store's processes in its own folder, keeps their logs, and ends them all."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.processes: list[subprocess.Popen[bytes]] = []
        self.leftovers: list[Path] = []  # files a store leaves outside its folder

    def spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        with (self.directory / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.directory,
                env=os.environ | (env or {}),
                start_new_session=True,  # so that ending the store ends what it started
            )
        self.processes.append(process)
        return process

    def run(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        if self.spawn(name, command, env).wait(timeout=START_SECONDS) != 0:
            raise RuntimeError(f"{' '.join(command[:3])} failed: see {self.directory / name}.log")

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # SeaweedFS lingers over its shutdown
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for leftover in self.leftovers:
            leftover.unlink(missing_ok=True)

    def pids(self) -> list[int]:
        return [process.pid for process in self.processes if process.poll() is None]


def executable(name: str, *folders: Path, package: str = "") -> str:
    for folder in folders:
        if (folder / name).is_file() and os.access(folder / name, os.X_OK):
            return str(folder / name)
    found = shutil.which(name, path=os.pathsep.join(str(folder) for folder in folders))
    if found is None:
        raise StoreUnavailableError(f"{package or name} is not installed: run `make stores`")
    return found


def wait_until(ready: Callable[[], bool], what: str, launch: Launch, seconds: float = START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for process in launch.processes:
            if process.returncode is None and process.poll() not in (None, 0):
                raise RuntimeError(f"{what} exited with code {process.returncode}: see the logs in {launch.directory}")
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} was not ready within {seconds} s: see the logs in {launch.directory}")


def answers_http(endpoint: str) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            with urllib.request.urlopen(endpoint + "/", timeout=2):  # loopback only
                return True
        except urllib.error.HTTPError:
            return True  # any answer: the store's S3 API is up
        except OSError:
            return False

    return ready


def make_buckets(store: Store, launch: Launch) -> None:
    """Create the plain bucket and, where the store keeps versions, the versioned one; retried while it settles."""

    def created() -> bool:
        client = store.client()
        try:
            for bucket in (PLAIN, VERSIONED) if store.versioning else (PLAIN,):
                with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
                    client.create_bucket(Bucket=bucket)
            if store.versioning:
                client.put_bucket_versioning(Bucket=VERSIONED, VersioningConfiguration={"Status": "Enabled"})
        except (BotoCoreError, ClientError):
            return False
        return True

    wait_until(created, f"{store.name}'s buckets", launch)


def start_rclone(launch: Launch) -> Store:
    rclone = executable("rclone", Path(sys.executable).parent)
    version = version_of([rclone, "version"], r"rclone v(\S+)")
    port = free_port()
    (launch.directory / "data").mkdir()
    launch.spawn(
        "rclone",
        [rclone, "serve", "s3", "--auth-key", f"{ACCESS_KEY},{SECRET_KEY}", "--addr", f"127.0.0.1:{port}", "data"],
    )
    return serving(launch, Store("rclone", version, f"http://127.0.0.1:{port}"))


def start_moto(launch: Launch) -> Store:
    moto = executable("moto_server", Path(sys.executable).parent)
    port = free_port()
    launch.spawn("moto", [moto, "-H", "127.0.0.1", "-p", str(port)])
    return serving(launch, Store("moto", package_version("moto"), f"http://127.0.0.1:{port}"))


def start_seaweedfs(launch: Launch) -> Store:
    weed = executable("weed", STORES_BIN)
    version = version_of([weed, "version"], r"\b(\d+\.\d+)\b")
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: free_port() for name in ports}  # else each is its port + 10000, which may be taken
    identities = {
        "identities": [
            {
                "name": "tests",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            }
        ]
    }
    (launch.directory / "s3.json").write_text(json.dumps(identities), encoding="utf-8")
    (launch.directory / "data").mkdir()
    port_flags = [flag for name in ports for flag in (f"-{name}.port={ports[name]}", f"-{name}.port.grpc={grpc[name]}")]
    launch.spawn(
        "weed",
        [
            weed,
            "server",
            "-dir=data",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            *port_flags,
            "-s3",
            "-s3.config=s3.json",
            "-master.telemetry=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-metricsPort=0",
            # One collection a bucket, each of which takes volumes: room for a few small ones.
            "-volume.max=100",
            "-master.volumeSizeLimitMB=64",
        ],
    )
    # SeaweedFS also serves each gRPC port on a socket in /tmp, and leaves it there.
    launch.leftovers += [Path(f"/tmp/seaweedfs-{name}-grpc-{port}.sock") for name, port in grpc.items()]
    launch.leftovers.append(Path(f"/tmp/seaweedfs-s3-{ports['s3']}.sock"))
    return serving(launch, Store("seaweedfs", version, f"http://127.0.0.1:{ports['s3']}"))


def start_juicefs(launch: Launch) -> Store:
    juicefs = executable("juicefs", STORES_BIN)
    version = version_of([juicefs, "version"], r"version (\d+\.\d+\.\d+)")
    meta = f"sqlite3://{launch.directory / 'meta.db'}"
    launch.run(
        "format", [juicefs, "format", meta, "tests", "--storage", "file", "--bucket", f"{launch.directory}/data/"]
    )
    port = free_port()
    launch.spawn(
        "gateway",
        [
            juicefs,
            "--no-agent",
            "gateway",
            "--no-usage-report",
            "--multi-buckets",
            "--metrics",
            f"127.0.0.1:{free_port()}",
            "--cache-dir",
            str(launch.directory / "cache"),
            "--log",
            str(launch.directory / "gateway-own.log"),
            meta,
            f"127.0.0.1:{port}",
        ],
        env={"MINIO_ROOT_USER": ACCESS_KEY, "MINIO_ROOT_PASSWORD": SECRET_KEY},
    )
    return serving(launch, Store("juicefs", version, f"http://127.0.0.1:{port}"))


_LOCALSTACK_STARTING = threading.Lock()


def localstack(*, checks_signatures: bool) -> Callable[[Launch], Store]:
    def start(launch: Launch) -> Store:
        executable("localstack-supervisor", STORES_BIN, package="LocalStack")
        python = executable("python", STORES_BIN)
        port = free_port()
        env = {
            # The default server listens on every address; hypercorn listens where it is told.
            "GATEWAY_SERVER": "hypercorn",
            "GATEWAY_LISTEN": f"127.0.0.1:{port}",
            "SERVICES": "s3,sts",
            "DISABLE_EVENTS": "1",  # no analytics
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "DNS_ADDRESS": "0",
            "LOCALSTACK_VOLUME_DIR": str(launch.directory / "volume"),
            "FILESYSTEM_ROOT": str(launch.directory / "root"),
            "TMPDIR": str(launch.directory),  # else both instances share /tmp/localstack, and each clears it
        }
        if checks_signatures:
            env["S3_SKIP_SIGNATURE_VALIDATION"] = "0"
        name = "localstack" if checks_signatures else "localstack-default"
        endpoint = f"http://127.0.0.1:{port}"
        # LocalStack gives its own server 15 s to listen, then hangs; one start at a time keeps within that.
        with _LOCALSTACK_STARTING:
            launch.spawn("localstack", [python, "-m", "localstack.runtime.main"], env)
            wait_until(answers_http(f"{endpoint}/_localstack/health"), name, launch)
        with urllib.request.urlopen(f"{endpoint}/_localstack/health", timeout=5) as health:  # loopback only
            version = json.load(health).get("version", "unknown")
        return Store(name, version, endpoint, secret_key=LOCALSTACK_SECRET)

    return start


def start_ceph(launch: Launch) -> Store:
    """One monitor and one OSD in memory, without authentication, and radosgw in front of them."""
    programs = ("ceph", "ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "monmaptool")
    tools = {name: executable(name, Path("/usr/bin")) for name in programs}
    version = version_of([tools["ceph"], "--version"], r"ceph version (\S+)")
    home = launch.directory
    fsid, osd_uuid = uuid.uuid4(), uuid.uuid4()
    mon_port, rgw_port = free_port(), free_port()
    for folder in ("mon/a", "osd/0", "run", "log", "rgw"):
        (home / folder).mkdir(parents=True)
    conf = home / "ceph.conf"
    conf.write_text(
        f"""[global]
fsid = {fsid}
mon host = v2:127.0.0.1:{mon_port}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
auth cluster required = none
auth service required = none
auth client required = none
# Without authentication the secure mode cannot be agreed: radosgw would retry forever with -13.
ms mon client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms client mode = crc
ms cluster mode = crc
ms service mode = crc
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = 1073741824
run dir = {home}/run
admin socket = {home}/run/$name.asok
log file = {home}/log/$name.log
mon data = {home}/mon/$id
osd data = {home}/osd/$id
keyring = /dev/null
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:{rgw_port}
rgw data = {home}/rgw
""",
        encoding="utf-8",
    )
    config = ["-c", str(conf)]
    launch.run("monmaptool", [tools["monmaptool"], "--create", "--addv", "a", f"[v2:127.0.0.1:{mon_port}]",
                              "--fsid", str(fsid), str(home / "monmap")])  # fmt: skip
    launch.run("mon-mkfs", [tools["ceph-mon"], *config, "--mkfs", "-i", "a", "--monmap", str(home / "monmap")])
    launch.spawn("mon", [tools["ceph-mon"], *config, "-f", "-i", "a"])
    launch.run("osd-new", [tools["ceph"], *config, "osd", "new", str(osd_uuid), "0"])
    launch.run("osd-mkfs", [tools["ceph-osd"], *config, "-i", "0", "--mkfs", "--osd-uuid", str(osd_uuid)])
    launch.spawn("osd", [tools["ceph-osd"], *config, "-f", "-i", "0"])
    launch.spawn("radosgw", [tools["radosgw"], *config, "-f", "-n", "client.rgw"])
    store = serving(launch, Store("ceph", version, f"http://127.0.0.1:{rgw_port}"))
    launch.run("user", [tools["radosgw-admin"], *config, "user", "create", "--uid", "tests", "--display-name", "tests",
                        "--access-key", ACCESS_KEY, "--secret", SECRET_KEY])  # fmt: skip
    return store


def version_of(command: list[str], pattern: str) -> str:
    """The version a store's command prints, as the pattern's group finds it."""
    printed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30).stdout
    found = re.search(pattern, printed)
    return found.group(1) if found else "unknown"


def serving(launch: Launch, store: Store) -> Store:
    """Wait until the store's S3 API answers."""
    wait_until(answers_http(store.endpoint), store.name, launch)
    return store


@dataclass(frozen=True)
class Kind:
    """How to start a store, and what it does: the tier's cases run where the store has the feature."""

    start: Callable[[Launch], Store]
    checks_signatures: bool
    versioning: bool
    checks_post_policies: bool = False  # takes upload forms, and checks their policy and its signature


# LocalStack first: its start is the slowest, and the others wait on their servers more than on the CPU.
KINDS = {
    "localstack": Kind(localstack(checks_signatures=True), checks_signatures=True, versioning=True),
    "localstack-default": Kind(localstack(checks_signatures=False), checks_signatures=False, versioning=True),
    "rclone": Kind(start_rclone, checks_signatures=True, versioning=False),
    "ceph": Kind(start_ceph, checks_signatures=True, versioning=True, checks_post_policies=True),
    "seaweedfs": Kind(start_seaweedfs, checks_signatures=True, versioning=True, checks_post_policies=True),
    "juicefs": Kind(start_juicefs, checks_signatures=True, versioning=False, checks_post_policies=True),
    "moto": Kind(start_moto, checks_signatures=False, versioning=True),
}


def stores(*, versioning: bool = False, checks_signatures: bool | None = None, forms: bool = False) -> list[str]:
    """The stores that have a feature, for a case's parameters."""
    return [
        name
        for name, kind in KINDS.items()
        if (kind.versioning or not versioning)
        and (checks_signatures is None or kind.checks_signatures == checks_signatures)
        and (kind.checks_post_policies or not forms)
    ]


class Fleet:
    """Every store, started at once on threads; each test waits only for the store it uses."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._launches: dict[str, Launch] = {}
        self._pool = ThreadPoolExecutor(max_workers=len(KINDS), thread_name_prefix="store")
        self._futures: dict[str, Future[Store]] = {}

    def __enter__(self) -> Self:
        for name, kind in KINDS.items():
            launch = self._launches[name] = Launch(self._directory / name)
            launch.directory.mkdir()
            self._futures[name] = self._pool.submit(_start, kind, launch)
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown(wait=True)
        for launch in self._launches.values():
            launch.stop()

    def get(self, name: str) -> Store:
        """Wait for a store; raise :class:`StoreUnavailableError` if it is not installed."""
        return self._futures[name].result(timeout=START_SECONDS * 2)

    def process_groups(self) -> set[int]:
        """The process group of every store process still running: each was started in its own."""
        return {pid for launch in self._launches.values() for pid in launch.pids()}


def _start(kind: Kind, launch: Launch) -> Store:
    began = time.monotonic()
    store = kind.start(launch)
    make_buckets(store, launch)
    store.started_in = time.monotonic() - began
    STARTED.append(store)
    return store


STARTED: list[Store] = []
"""The stores started this session, for the summary of their start times."""


PUBLIC_ADDRESS = "127.0.0.2"  # a second loopback address: the public host, which the store is not


@contextlib.contextmanager
def host_keeping_proxy(directory: Path, upstream: str, *, keep_host: bool = True) -> Iterator[str]:
    """Run nginx from Debian on the second loopback address in front of a store, passing the Host header on.

    Its configuration, pid and logs stay in ``directory``; it is ended when the block ends.

    :param upstream: The store's endpoint.
    :param keep_host: Pass the Host header on as it came; else nginx's default, the upstream's own host.
    :returns: The proxy's URL, the public endpoint.
    """
    nginx = executable("nginx", Path("/usr/sbin"), package="nginx (Debian)")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port(PUBLIC_ADDRESS)
    conf = directory / "nginx.conf"
    temporary = {name: directory / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temporary.values():
        folder.mkdir(exist_ok=True)
    conf.write_text(
        f"""daemon off;
master_process off;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {temporary["body"]};
    proxy_temp_path {temporary["proxy"]};
    fastcgi_temp_path {temporary["fastcgi"]};
    uwsgi_temp_path {temporary["uwsgi"]};
    scgi_temp_path {temporary["scgi"]};
    server {{
        listen {PUBLIC_ADDRESS}:{port};
        # A signed path must reach the store as it was sent: no merged slashes, no size limit, no buffering.
        merge_slashes off;
        client_max_body_size 0;
        proxy_request_buffering off;
        proxy_buffering off;
        location / {{
            proxy_pass {upstream};
            proxy_http_version 1.1;
            {"proxy_set_header Host $http_host;" if keep_host else ""}
        }}
    }}
}}
""",
        encoding="utf-8",
    )
    log = (directory / "nginx.out").open("ab")
    process = subprocess.Popen(
        [nginx, "-p", str(directory), "-e", str(directory / "error.log"), "-c", str(conf)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        endpoint = f"http://{PUBLIC_ADDRESS}:{port}"
        deadline = time.monotonic() + START_SECONDS
        while not _listens(PUBLIC_ADDRESS, port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: see {directory}")
            time.sleep(0.05)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _listens(address: str, port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((address, port)) == 0
