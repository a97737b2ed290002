"""The container image, built from the Dockerfile and run as Concourse runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from s3_presigned.version import __version__
from tests.support import BUILD_ENV, ROOT, S3Server, StepResult, fetch, leaks

pytestmark = pytest.mark.image
TAG = "s3-presigned-url:test"
SOURCE_LABEL = "https://example.com/s3-presigned-url"
REVISION_LABEL = "0123456789abcdef0123456789abcdef01234567"


def engine_problem() -> str | None:
    if shutil.which("docker") is None:
        return "no docker command on PATH"
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60, check=False)
    if probe.returncode != 0:
        return f"docker cannot reach an engine: {probe.stderr.strip().splitlines()[-1:]}"
    return None


@pytest.fixture(scope="session")
def image() -> str:
    problem = engine_problem()
    if problem is not None:
        if os.environ.get("S3_PRESIGNED_REQUIRE_IMAGE") == "1":
            pytest.fail(f"the image tier is required here, but {problem}")
        pytest.skip(f"image tests need a container engine: {problem}")
    # --no-cache: the build is quick, and some engines' caches ignore a changed ARG in a LABEL.
    command = ["docker", "build", "-q", "--no-cache", "-t", TAG, "--build-arg", f"SOURCE={SOURCE_LABEL}"]
    command += ["--build-arg", f"VERSION={__version__}", "--build-arg", f"REVISION={REVISION_LABEL}"]
    if base := os.environ.get("BASE_IMAGE"):
        command += ["--build-arg", f"BASE_IMAGE={base}"]
    subprocess.run([*command, str(ROOT)], check=True, capture_output=True, timeout=900)
    return TAG


def run_in_image(
    image: str, step: str, request: dict[str, Any] | str, directory: Path, env: dict[str, str] | None = None
) -> StepResult:
    directory.mkdir(parents=True, exist_ok=True)
    environment = BUILD_ENV | (env or {})
    command = ["docker", "run", "--rm", "-i", "--network", "host", "-v", f"{directory}:/tmp/build/step"]
    for name, value in environment.items():
        command += ["-e", f"{name}={value}"]
    stdin = request if isinstance(request, str) else json.dumps(request)
    completed = subprocess.run(
        [*command, image, f"/opt/resource/{step}", "/tmp/build/step"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result = StepResult.of(completed, directory, request)
    assert not leaks(result), leaks(result)
    return result


def test_lint_in_the_image_reads_a_pipeline_on_stdin(image: str) -> None:
    pipeline = (ROOT / "pipeline-examples" / "share-artifact.yml").read_text(encoding="utf-8")
    broken = pipeline.replace("expires_in: 24h", "expire_in: 24h")
    in_image = ["docker", "run", "--rm", "-i", image, "/opt/resource/lint"]
    from_tree = [sys.executable, "-m", "s3_presigned.lint"]
    said = {}
    for name, command in (("image", in_image), ("tree", from_tree)):
        said[name] = [
            subprocess.run(command, input=text, capture_output=True, text=True, timeout=120, check=False, cwd=ROOT)
            for text in (pipeline, broken)
        ]
    clean, found = said["image"]
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "s3-presigned-lint: no problems in 1 file\n", "")
    assert found.returncode == 1
    assert found.stdout.startswith("stdin: job build-and-share, step put: share-link: get_params.expire_in: unknown")
    # The image's lint is the same command as the package's.
    assert [(run.returncode, run.stdout, run.stderr) for run in said["image"]] == [
        (run.returncode, run.stdout, run.stderr) for run in said["tree"]
    ]


def test_check_in_the_image(image: str, s3: S3Server, tmp_path: Path) -> None:
    result = run_in_image(image, "check", {"source": s3.source()}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_out_in_the_image(image: str, s3: S3Server, tmp_path: Path) -> None:
    result = run_in_image(image, "out", {"source": s3.source(), "params": {}}, tmp_path)
    version = result.response["version"]
    assert list(version) == ["execution_date"]
    assert version["execution_date"].isdigit()


def test_in_writes_a_working_url_to_the_mounted_directory(image: str, s3: S3Server, tmp_path: Path) -> None:
    body = s3.put("image/artifact.tgz", b"artifact bytes")
    request = {
        "source": {"bucket": "bucket", "endpoint": s3.endpoint},
        "version": {"execution_date": "1767225600"},
        "params": {"file_path": "image/artifact.tgz", "file_name": "artifact.tgz", "expires_in": "10m"},
    }
    source = s3.source()
    credentials = {"AWS_ACCESS_KEY_ID": source["access_key_id"], "AWS_SECRET_ACCESS_KEY": source["secret_access_key"]}
    result = run_in_image(image, "in", request, tmp_path / "get", env=credentials)
    assert result.response["version"] == {"execution_date": "1767225600"}
    assert result.metadata["key"] == "image/artifact.tgz"
    assert result.metadata["size"] == str(len(body))
    status, content, headers = fetch(result.url)
    assert (status, content) == (200, body)
    assert headers["Content-Disposition"] == 'attachment; filename="artifact.tgz"'


def test_bad_request_in_the_image_is_one_clean_line(image: str, tmp_path: Path) -> None:
    request = {
        "source": {"bucket": "bucket"},
        "version": {"execution_date": "1"},
        "params": {"file_path": "x", "expires_in": 0},
    }
    result = run_in_image(image, "in", request, tmp_path)
    assert result.returncode != 0
    assert result.stderr == "error: params.expires_in: 0 s is out of range; use 1 second to 7 days (604800 s)\n"
    assert list(tmp_path.iterdir()) == []


def test_image_labels(image: str) -> None:
    inspected = subprocess.run(["docker", "image", "inspect", image], capture_output=True, text=True, check=True)
    labels = json.loads(inspected.stdout)[0]["Config"]["Labels"]
    assert labels["org.opencontainers.image.source"] == SOURCE_LABEL
    assert labels["org.opencontainers.image.version"] == __version__
    assert labels["org.opencontainers.image.revision"] == REVISION_LABEL
    assert (
        labels["org.opencontainers.image.licenses"]
        == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    )


def test_the_image_carries_the_licence(image: str) -> None:
    shown = subprocess.run(
        ["docker", "run", "--rm", image, "cat", "/usr/share/doc/s3-presigned-url/LICENSE"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout == (ROOT / "LICENSE").read_text()


def test_image_holds_only_the_runtime(image: str) -> None:
    listing = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            image,
            "sh",
            "-c",
            "ls /opt/resource; ls /opt/venv/bin; ls /opt/venv/lib/python3*/site-packages/botocore/data",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert {"check", "in", "out", "s3_presigned"} <= set(listing)
    assert "tests" not in listing
    assert "pip" not in listing
    assert {"s3", "sts", "sso", "sso-oidc"} <= set(listing)
    assert "ec2" not in listing


def test_the_image_loads_the_models_it_prepared(image: str) -> None:
    # Prepared at build time for the image's own botocore and Python; a stale stamp would silently fall back.
    probe = (
        "from s3_presigned.s3.session import ModelFileLoader, PREPARED; "
        "print(ModelFileLoader().prepared == PREPARED, sorted(p.name for p in PREPARED.iterdir()))"
    )
    shown = subprocess.run(
        ["docker", "run", "--rm", "-w", "/opt/resource", image, "/opt/venv/bin/python", "-c", probe],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown.startswith("True ")
    assert "'endpoints.marshal'" in shown
    assert "'s3'" in shown
