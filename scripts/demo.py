"""Run the main job against an embedded S3 server: put, then the implicit get, then fetch the URL it wrote."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCESS_KEY, SECRET_KEY = "DEMOACCESSKEY", "demo/secret+key"
BUILD_ENV = {
    "BUILD_ID": "1",
    "BUILD_NAME": "1",
    "BUILD_JOB_NAME": "share",
    "BUILD_PIPELINE_NAME": "demo",
    "BUILD_TEAM_NAME": "main",
    "ATC_EXTERNAL_URL": "http://localhost:8080",
}


def main() -> int:
    """Start the server, run put and get, print the URL file and prove it works."""
    with tempfile.TemporaryDirectory(prefix="s3-presigned-demo-") as scratch:
        work = Path(scratch)
        (work / "s3" / "artifacts" / "folder").mkdir(parents=True)
        (work / "s3" / "artifacts" / "folder" / "file.txt").write_text("hello from the demo bucket\n")
        port = _free_port()
        rclone = shutil.which("rclone", path=str(Path(sys.executable).parent)) or "rclone"
        server = subprocess.Popen(
            [
                rclone,
                "serve",
                "s3",
                "--auth-key",
                f"{ACCESS_KEY},{SECRET_KEY}",
                "--addr",
                f"127.0.0.1:{port}",
                str(work / "s3"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port)
            print(f"S3 server (rclone) on http://127.0.0.1:{port}, bucket 'artifacts' holds folder/file.txt")
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "concoursetools",
                    "assets",
                    str(work / "opt-resource"),
                    "-r",
                    "s3_presigned/resource.py",
                ],
                cwd=ROOT,
                check=True,
            )
            source = {
                "bucket": "artifacts",
                "endpoint": f"http://127.0.0.1:{port}",
                "access_key_id": ACCESS_KEY,
                "secret_access_key": SECRET_KEY,
            }
            put = _step(work, "out", {"source": source, "params": {}}, work)
            version = json.loads(put)["version"]
            print(f"put   -> version {version}")
            get_params = {"file_path": "folder/file.txt", "file_name": "file.txt", "expires_in": {"hours": 24}}
            destination = work / "s3-presigned-url"
            got = _step(work, "in", {"source": source, "version": version, "params": get_params}, destination)
            print(f"get   -> metadata {json.loads(got)['metadata']}")
            url = (destination / "url").read_text()
            print(f"\ns3-presigned-url/url:\n{url}\n")
            with urllib.request.urlopen(url, timeout=10) as response:  # the loopback server above
                print(
                    f"fetched it: HTTP {response.status}, Content-Disposition: "
                    f"{response.headers['Content-Disposition']}\nbody: {response.read().decode()!r}"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


def _step(work: Path, step: str, request: dict[str, object], directory: Path) -> str:
    directory.mkdir(exist_ok=True)
    env = os.environ | BUILD_ENV | {"PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, str(work / "opt-resource" / step), str(directory)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"{step} failed: {completed.stderr.strip()}")
    return completed.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    sys.exit(f"the S3 server did not start on port {port}")


if __name__ == "__main__":
    sys.exit(main())
