"""An S3 server on loopback for the demo and the benchmark: rclone serving a scratch directory."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ACCESS_KEY = "LOCALACCESSKEY"
SECRET_KEY = "local/secret+key"


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` over S3 on a free loopback port, its first-level folders being buckets; yield the endpoint."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    rclone = shutil.which("rclone", path=str(Path(sys.executable).parent)) or "rclone"
    server = subprocess.Popen(
        [rclone, "serve", "s3", "--auth-key", f"{ACCESS_KEY},{SECRET_KEY}", "--addr", f"127.0.0.1:{port}", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit(f"the S3 server did not start on port {port}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def generate_assets(root: Path, directory: Path, resource_file: str) -> None:
    """Generate check, in and out from the repository root, as the image does."""
    subprocess.run(
        [sys.executable, "-m", "concoursetools", "assets", str(directory), "-r", resource_file], cwd=root, check=True
    )
