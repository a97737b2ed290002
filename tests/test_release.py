"""The release line: the licence, one version declared once, the changelog, and the project's own pipeline.

ci/pipeline.yml is checked as the examples are: against the vendored pipeline schema, with every ((var)) resolved
from ci/vars.example.yml as Concourse resolves it, and each job's steps walked in order, so that every task
file, input and loaded var is where the step expects it. The task scripts that can run here run: the release
check against real git repositories, and the scan with a stand-in for trivy that records how it was called.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from s3_presigned.version import __version__
from tests.concourse_vars import BuildVars, load_var
from tests.support import ROOT
from tests.test_examples import EXAMPLES, check_schema, steps_of

PIPELINE = ROOT / "ci/pipeline.yml"
PIPELINE_VARS = ROOT / "ci/vars.example.yml"
TASKS = ROOT / "ci/tasks"
VERSION_FILE = "s3_presigned/version.py"
RELEASE_SCRIPT = TASKS / "version.py"
SCAN_SCRIPT = TASKS / "scan.sh"
PLATFORMS = {"linux/amd64", "linux/arm64"}
TASK_CONFIG_KEYS = {"platform", "image_resource", "inputs", "outputs", "caches", "params", "run", "container_limits"}
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# A version as a reader pins it: a registry-image tag, or an image reference.
PINNED = re.compile(r'(?:tag: "?|s3-presigned-url:)(\d+\.\d+\.\d+)')


def pipeline() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(PIPELINE.read_text())
    return loaded


def job(name: str) -> dict[str, Any]:
    return next(job for job in pipeline()["jobs"] if job["name"] == name)


def resource(name: str) -> dict[str, Any]:
    return next(resource for resource in pipeline()["resources"] if resource["name"] == name)


def dockerfile_label(name: str) -> str:
    match = re.search(rf'{re.escape(name)}="([^"]*)"', (ROOT / "Dockerfile").read_text())
    assert match, f"the Dockerfile sets no {name} label"
    return match.group(1)


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=Release Test", "-c", "user.email=release@example.com"]
    return subprocess.run(["git", "-C", str(repo), *identity, *args], capture_output=True, text=True, check=True).stdout


def commit(repo: Path, version: str, *, changelog: str | None = None, docstring: str = "The version.") -> str:
    """Commit a version file declaring ``version``, and a changelog with a section for it unless one is given."""
    (repo / "s3_presigned").mkdir(parents=True, exist_ok=True)
    (repo / VERSION_FILE).write_text(f'"""{docstring}"""\n\n__version__ = "{version}"\n')
    (repo / "CHANGELOG.md").write_text(changelog if changelog is not None else f"# Changelog\n\n## {version} - x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"Release {version}")
    return git(repo, "rev-parse", "HEAD").strip()


def run_release(repo: Path, output: Path, source_url: str = "https://git.example.com/s3-presigned-url.git"):
    return subprocess.run(
        [sys.executable, str(RELEASE_SCRIPT), str(repo), str(output)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SOURCE_URL": source_url},
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "source"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    return path


# The licence.


def test_the_licence_is_the_apache_2_0_text_in_full() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.split()[:4] == ["Apache", "License", "Version", "2.0,"]
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text
    # The same text that the vendored schema carries: it is Apache-2.0 too, as its upstream published it.
    assert text == (ROOT / "tests/schemas/LICENSE").read_text()


def test_the_licence_is_named_alike_in_pyproject_the_image_and_the_readme() -> None:
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    assert dockerfile_label("org.opencontainers.image.licenses") == "Apache-2.0"
    assert "[Apache-2.0](LICENSE)" in (ROOT / "README.md").read_text()
    # The image carries the text itself, as the licence asks of every copy.
    assert "COPY LICENSE " in (ROOT / "Dockerfile").read_text()
    assert "!LICENSE" in (ROOT / ".dockerignore").read_text().splitlines()


# One version, declared once.


def test_the_version_is_a_release_number() -> None:
    assert re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)", __version__)


def test_the_version_file_holds_the_version_alone() -> None:
    """The release resource publishes on every change to the file, so nothing else may change it."""
    body = ast.parse((ROOT / VERSION_FILE).read_text()).body
    assert len(body) == 2
    assert isinstance(body[0], ast.Expr)
    assert isinstance(body[0].value, ast.Constant)
    assert isinstance(body[1], ast.Assign)
    assert [target.id for target in body[1].targets if isinstance(target, ast.Name)] == ["__version__"]


def test_pyproject_reads_the_version_from_the_package() -> None:
    assert "version" not in PYPROJECT["project"]
    assert "version" in PYPROJECT["project"]["dynamic"]
    module, _, name = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]["attr"].rpartition(".")
    assert Path(*module.split(".")).with_suffix(".py") == Path(VERSION_FILE)
    assert name == "__version__"


def test_the_newest_changelog_section_is_the_version() -> None:
    sections = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert sections, "CHANGELOG.md has no release sections"
    assert sections[0] == __version__


def test_the_image_labels_come_from_build_args_not_a_copy_of_the_version() -> None:
    text = (ROOT / "Dockerfile").read_text()
    for arg in ("VERSION", "REVISION", "SOURCE"):
        assert re.search(rf"^ARG {arg}=unknown$", text, re.MULTILINE), arg
    assert dockerfile_label("org.opencontainers.image.version") == "${VERSION}"
    assert dockerfile_label("org.opencontainers.image.revision") == "${REVISION}"
    assert dockerfile_label("org.opencontainers.image.source") == "${SOURCE}"
    assert __version__ not in text


def test_make_image_labels_the_image_with_the_version() -> None:
    shown = subprocess.run(["make", "-n", "image"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert f"--build-arg VERSION={__version__} " in shown
    assert re.search(r"--build-arg REVISION=[0-9a-f]{40} ", shown)


@pytest.mark.parametrize(
    "document",
    [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "CONTRIBUTING.md", *EXAMPLES],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_every_pinned_version_in_the_documents_is_the_version(document: Path) -> None:
    pinned = set(PINNED.findall(document.read_text()))
    assert pinned <= {__version__}, f"{document.name} pins {pinned}; the version is {__version__}"


# The release check, ci/tasks/version.py.


def test_the_repository_as_it_stands_is_releasable(repo: Path, tmp_path: Path) -> None:
    (repo / "s3_presigned").mkdir()
    shutil.copy(ROOT / VERSION_FILE, repo / VERSION_FILE)
    shutil.copy(ROOT / "CHANGELOG.md", repo / "CHANGELOG.md")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "First release")
    released = run_release(repo, tmp_path / "version")
    assert released.returncode == 0, released.stderr
    assert (tmp_path / "version/version").read_text() == __version__


def test_a_bump_writes_the_version_and_the_build_args(repo: Path, tmp_path: Path) -> None:
    commit(repo, "1.4.2")
    revision = commit(repo, "1.5.0")
    released = run_release(repo, tmp_path / "version", "https://git.example.com/team/s3-presigned-url.git")
    assert released.returncode == 0, released.stderr
    assert released.stdout == f"releasing 1.5.0, up from 1.4.2, built from {revision}\n"
    assert (tmp_path / "version/version").read_text() == "1.5.0"
    assert (tmp_path / "version/build-args").read_text().splitlines() == [
        "VERSION=1.5.0",
        f"REVISION={revision}",
        "SOURCE=https://git.example.com/team/s3-presigned-url.git",
    ]


def test_the_first_release_has_nothing_to_rise_above(repo: Path, tmp_path: Path) -> None:
    commit(repo, "0.1.0")
    released = run_release(repo, tmp_path / "version")
    assert released.returncode == 0, released.stderr
    assert "up from no earlier release" in released.stdout


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        pytest.param(
            "1.4.2",
            "1.4.2",
            "error: s3_presigned/version.py changed, but the version did not go up: 1.4.2 before, 1.4.2 now; "
            "raise it to release\n",
            id="the-file-edited-without-a-bump",
        ),
        pytest.param(
            "1.4.2",
            "1.3.9",
            "error: s3_presigned/version.py changed, but the version did not go up: 1.4.2 before, 1.3.9 now; "
            "raise it to release\n",
            id="a-lower-version",
        ),
        pytest.param(
            "1.4.2",
            "1.5",
            "error: s3_presigned/version.py: __version__ is '1.5'; a release is X.Y.Z, such as 1.4.0\n",
            id="not-three-numbers",
        ),
        pytest.param(
            "1.4.2",
            "1.05.0",
            "error: s3_presigned/version.py: __version__ is '1.05.0'; a release is X.Y.Z, such as 1.4.0\n",
            id="a-leading-zero",
        ),
    ],
)
def test_a_commit_that_is_no_release_fails_in_one_line(
    repo: Path, tmp_path: Path, before: str, after: str, message: str
) -> None:
    commit(repo, before)
    commit(repo, after, docstring="The version, reworded.")
    released = run_release(repo, tmp_path / "version")
    assert (released.returncode, released.stderr) == (1, message)
    assert not (tmp_path / "version").exists()


def test_a_release_without_its_changelog_section_fails(repo: Path, tmp_path: Path) -> None:
    commit(repo, "1.4.2")
    commit(repo, "1.4.3", changelog="# Changelog\n\n## 1.4.2 - x\n\nA mention of 1.4.3 is not its section.\n")
    released = run_release(repo, tmp_path / "version")
    assert (released.returncode, released.stderr) == (
        1,
        "error: CHANGELOG.md has no section '## 1.4.3'; add one that says what the release changes\n",
    )


def test_a_shallow_checkout_is_refused_rather_than_taken_for_a_first_release(repo: Path, tmp_path: Path) -> None:
    commit(repo, "1.4.2")
    commit(repo, "1.4.2", docstring="Edited, not bumped.")
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True, capture_output=True
    )
    released = run_release(shallow, tmp_path / "version")
    assert released.returncode == 1
    assert released.stderr.startswith("error: the checkout is shallow")


def test_the_release_check_needs_the_source_url(repo: Path, tmp_path: Path) -> None:
    commit(repo, "0.1.0")
    released = run_release(repo, tmp_path / "version", source_url="")
    assert (released.returncode, released.stderr) == (
        1,
        "error: SOURCE_URL is not set; set it to the repository's URL, the image's source label\n",
    )


# The scan, ci/tasks/scan.sh, with a stand-in trivy that records its arguments and exits as told.


def run_scan(tmp_path: Path, env: dict[str, str], trivy_exit: int = 0) -> tuple[subprocess.CompletedProcess[str], list]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    calls = tmp_path / "calls"
    stand_in = bin_dir / "trivy"
    stand_in.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\nexit {trivy_exit}\n')
    stand_in.chmod(0o755)
    scanned = subprocess.run(
        ["sh", str(SCAN_SCRIPT)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": f"{bin_dir}:{os.environ['PATH']}", **env},
    )
    return scanned, calls.read_text().splitlines() if calls.exists() else []


FLAGS = "image --no-progress --ignore-unfixed --severity HIGH,CRITICAL --exit-code 1"


def test_the_scan_of_a_tarball_fails_on_fixable_high_and_critical(tmp_path: Path) -> None:
    scanned, calls = run_scan(tmp_path, {"IMAGE_ARCHIVE": "image/image.tar"})
    assert scanned.returncode == 0, scanned.stderr
    assert calls == [f"{FLAGS} --input image/image.tar"]
    failed, _ = run_scan(tmp_path, {"IMAGE_ARCHIVE": "image/image.tar"}, trivy_exit=1)
    assert failed.returncode == 1


def test_the_scan_of_a_pushed_image_scans_each_platform_of_its_digest(tmp_path: Path) -> None:
    candidate = tmp_path / "candidate"
    candidate.mkdir()
    (candidate / "repository").write_text("registry.example.com/platform/s3-presigned-url")
    (candidate / "digest").write_text("sha256:" + "ab" * 32)
    platforms = " ".join(sorted(PLATFORMS))
    scanned, calls = run_scan(tmp_path, {"PLATFORMS": platforms})
    assert scanned.returncode == 0, scanned.stderr
    reference = "registry.example.com/platform/s3-presigned-url@sha256:" + "ab" * 32
    assert calls == [f"{FLAGS} --platform {platform} {reference}" for platform in sorted(PLATFORMS)]
    failed, calls = run_scan(tmp_path, {"PLATFORMS": platforms}, trivy_exit=1)
    assert failed.returncode == 1


def test_the_scan_refuses_to_scan_nothing(tmp_path: Path) -> None:
    scanned, calls = run_scan(tmp_path, {})
    assert scanned.returncode != 0
    assert "set PLATFORMS or IMAGE_ARCHIVE" in scanned.stderr
    assert calls == []


# ci/pipeline.yml, checked as the examples are.


def test_the_pipeline_and_its_tasks_pass_yamllint() -> None:
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "yamllint"), "--strict", str(ROOT / "ci")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout


def test_the_pipeline_matches_the_pipeline_schema() -> None:
    check = check_schema(PIPELINE)
    assert check.returncode == 0, check.stdout + check.stderr


def test_every_job_runs_as_a_build_would_with_every_var_resolved(tmp_path: Path) -> None:
    """Each step in order: its vars resolved, its task file there, its inputs made by the steps before it."""
    credentials = yaml.safe_load(PIPELINE_VARS.read_text())
    for resource_config in pipeline()["resources"]:
        BuildVars(credentials).interpolate(resource_config.get("source", {}))
    loaded: dict[str, Any] = {}
    for job_config in pipeline()["jobs"]:
        build_vars = BuildVars(credentials)
        artifacts: dict[str, Path] = {}
        for step in steps_of(job_config["plan"]):
            config = build_vars.interpolate({key: value for key, value in step.items() if key != "in_parallel"})
            if "get" in config or "put" in config:
                name = config.get("get") or config["put"]
                artifacts[name] = tmp_path / job_config["name"] / name
            elif "task" in config:
                run_task(config, artifacts, tmp_path / job_config["name"])
            elif "load_var" in config:
                build_vars.local[config["load_var"]] = load_var(artifacts, config["file"])
        loaded |= {f"{job_config['name']}.{name}": value for name, value in build_vars.local.items()}
    # The version the publish job pushes is the one its release check read from the version file.
    assert loaded == {"publish.version": __version__}


def run_task(config: dict[str, Any], artifacts: dict[str, Path], work: Path) -> None:
    """Check a task step against its task file; run the release check, the one task that can run here."""
    artifact, _, relative = config["file"].partition("/")
    assert artifact in artifacts, f"{config['task']}: its file comes from {artifact}, which no step has fetched"
    task = yaml.safe_load((TASKS / Path(relative).relative_to("ci/tasks")).read_text())
    assert set(task) <= TASK_CONFIG_KEYS, set(task) - TASK_CONFIG_KEYS
    assert set(config.get("params", {})) <= set(task.get("params", {})), f"{config['task']}: undeclared params"
    mapping = config.get("input_mapping", {})
    for task_input in task.get("inputs", []):
        name = mapping.get(task_input["name"], task_input["name"])
        assert name in artifacts or task_input.get("optional"), f"{config['task']}: no artifact {name}"
    if config["task"] == "version":
        # The release's own version file and changelog, committed as the git resource would check them out.
        source = work / "source"
        (source / "s3_presigned").mkdir(parents=True)
        shutil.copy(ROOT / VERSION_FILE, source / VERSION_FILE)
        shutil.copy(ROOT / "CHANGELOG.md", source / "CHANGELOG.md")
        git(source, "init", "-q", "-b", "main")
        git(source, "add", "-A")
        git(source, "commit", "-q", "-m", "Release")
        released = run_release(source, work / "version", config["params"]["SOURCE_URL"])
        assert released.returncode == 0, released.stderr
    for output in task.get("outputs", []):
        artifacts[output["name"]] = work / output["name"]


def test_every_var_is_documented_for_the_team_that_sets_it() -> None:
    used = set(re.findall(r"\(\(([a-z_]+)\.([a-z_]+)\)\)", PIPELINE.read_text()))
    example = yaml.safe_load(PIPELINE_VARS.read_text())
    assert used == {(name, field) for name, fields in example.items() for field in fields}
    guide = (ROOT / "CONTRIBUTING.md").read_text()
    for name, field in used:
        assert f"`{name}.{field}`" in guide, f"CONTRIBUTING.md does not say what to set {name}.{field} to"


def test_every_commit_is_tested_built_and_scanned() -> None:
    test = job("test")
    assert test["plan"][0] == {"get": "source", "trigger": True}
    assert "paths" not in resource("source")["source"]
    tasks = [step["task"] for step in steps_of(test["plan"]) if "task" in step]
    assert tasks == ["test", "build", "scan"]


def test_a_version_bump_publishes_both_platforms_after_its_scan() -> None:
    assert resource("release")["source"]["paths"] == [VERSION_FILE]
    steps = list(steps_of(job("publish")["plan"]))
    build = next(step for step in steps if step.get("task") == "build")
    assert set(build["params"]["IMAGE_PLATFORM"].split(",")) == PLATFORMS
    scan = next(step for step in steps if step.get("task") == "scan")
    assert set(scan["params"]["PLATFORMS"].split()) == PLATFORMS
    puts = [step for step in steps if "put" in step]
    assert [put["put"] for put in puts] == ["candidate", "image"]
    # What is scanned is what is published: the same OCI layout, pushed first as the candidate.
    assert puts[0]["params"]["image"] == puts[1]["params"]["image"] == "image/image"
    assert steps.index(puts[0]) < steps.index(scan) < steps.index(puts[1])
    # X.Y.Z, with X.Y, X and latest moved to it by the registry-image resource.
    assert puts[1]["params"]["version"] == "((.:version))"
    assert puts[1]["params"]["bump_aliases"] is True
    assert "tag" not in resource("image")["source"]


def test_a_release_is_rebuilt_when_its_base_changes_and_weekly() -> None:
    triggers = {step["get"] for step in steps_of(job("publish")["plan"]) if step.get("trigger")}
    assert triggers == {"release", "base-image", "weekly"}
    base = resource("base-image")["source"]
    default = re.search(r"^ARG BASE_IMAGE=(\S+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert default
    assert f"{base['repository']}:{base['tag']}" == default.group(1)
    interval = resource("weekly")["source"]["interval"]
    assert interval.endswith("h")
    assert int(interval.removesuffix("h")) <= 7 * 24
