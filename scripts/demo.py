"""Run the main job against an embedded S3 server: put, then the implicit get, then fetch the URL it wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from loopback_s3 import ACCESS_KEY, SECRET_KEY, generate_assets, serve

ROOT = Path(__file__).resolve().parent.parent
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
        with serve(work / "s3") as endpoint:
            print(f"S3 server (rclone) on {endpoint}, bucket 'artifacts' holds folder/file.txt")
            generate_assets(ROOT, work / "opt-resource", "s3_presigned/resource.py")
            source = {
                "bucket": "artifacts",
                "endpoint": endpoint,
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
            with urllib.request.urlopen(url, timeout=10) as response:
                print(
                    f"fetched it: HTTP {response.status}, Content-Disposition: "
                    f"{response.headers['Content-Disposition']}\nbody: {response.read().decode()!r}"
                )
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


if __name__ == "__main__":
    sys.exit(main())
