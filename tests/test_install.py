"""The package as pip installs it: the wheel and the sdist, each in a new virtual environment, run from there.

Nothing of the source tree is on the installed package's path: the tree is copied and built, each artifact is
installed into a virtual environment of its own, and the steps and the lint run from a folder elsewhere, without
PYTHONPATH. The pre-commit hook runs through pre-commit itself, on a repository of pipelines.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.support import ROOT, Runner, S3Server, StepResult, fetch, leaks, step_environment

pytestmark = pytest.mark.install
# What a build of the tree never reads: tools' caches, the tree's own environment, and what make setup prepared.
LEFT_OUT = shutil.ignore_patterns(
    ".git", ".venv", ".stores", "__pycache__", ".*_cache", ".hypothesis", "prepared", "build", "dist", "*.egg-info"
)
# Every pip in these tests installs the runtime dependencies at their pinned versions, as the image does; the
# build's own botocore too, so that the models it prepares are those of the botocore installed beside them.
PINNED = {"PIP_CONSTRAINT": str(ROOT / "requirements.txt"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
PIPELINE = """
resources:
  - name: link
    type: s3-presigned-url
    source: {bucket: artifacts, expires_in: 1h}
jobs:
  - name: share
    plan:
      - put: link
        params: {file_path: app.tgz}
        get_params: {file_path: ((.:v))/app.tgz, max_size: 10MB, expires_in: 3 days}
"""
# Every problem above, each named as the pipeline spells it.
PROBLEMS = [
    "resource link: source.expires_in",
    "job share, step put: link: params.file_path",
    "job share, step put: link: get_params.max_size",
    "job share, step put: link: get_params.expires_in",
]


def unavailable(problem: str) -> NoReturn:
    if os.environ.get("S3_PRESIGNED_REQUIRE_INSTALL") == "1":
        pytest.fail(f"the install tier is required here, but {problem}")
    pytest.skip(f"install tests need venv, git and PyPI: {problem}")


def run(command: list[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command that must succeed; on failure, show what it said."""
    completed = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=False, timeout=900, **kwargs
    )
    assert completed.returncode == 0, f"{command} failed:\n{completed.stdout}\n{completed.stderr}"
    return completed


@pytest.fixture(scope="session")
def source_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the source tree, committed to a git repository of its own, as pre-commit takes a hook's."""
    if importlib.util.find_spec("ensurepip") is None:
        unavailable("this Python cannot make virtual environments with pip (Debian: apt-get install python3-venv)")
    if shutil.which("git") is None:
        unavailable("git is not installed")
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-d", tmp_path_factory.mktemp("probe"), "setuptools"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if probe.returncode != 0:
        unavailable(f"PyPI cannot be reached: {probe.stderr.strip().splitlines()[-1:]}")
    tree = tmp_path_factory.mktemp("source") / "s3-presigned-url"
    shutil.copytree(ROOT, tree, ignore=LEFT_OUT)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-C", tree]
    run([*git, "init", "-q"])
    run([*git, "add", "-A"])
    run([*git, "commit", "-q", "-m", "the tree under test"])
    return tree


@pytest.fixture(scope="session")
def dist(source_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist, and the wheel built from it, as ``python -m build`` makes them."""
    directory = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", directory, source_tree], env=os.environ | PINNED)
    return directory


@dataclass
class Installed:
    """A virtual environment that the package was installed into."""

    how: str
    python: Path
    package: Path  # the installed s3_presigned

    def command(self, name: str) -> Path:
        return self.python.parent / name


@pytest.fixture(scope="session", params=["wheel", "sdist"])
def installed(request: pytest.FixtureRequest, dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    artifact = next(dist.glob("*.whl" if request.param == "wheel" else "*.tar.gz"))
    environment = tmp_path_factory.mktemp(f"venv-{request.param}")
    run([sys.executable, "-m", "venv", environment])
    python = environment / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", artifact], env=os.environ | PINNED, cwd=environment)
    where = run([python, "-c", "import s3_presigned; print(s3_presigned.__file__)"], cwd=environment, env=bare())
    return Installed(request.param, python, Path(where.stdout.strip()).parent)


def bare(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The steps' environment, without the source tree on the path."""
    environment = step_environment(extra)
    del environment["PYTHONPATH"]
    return environment


class InstalledRunner(Runner):
    """Runs the scripts with the installed package's interpreter, without the source tree on the path."""

    def environment(self, extra: dict[str, str] | None) -> dict[str, str]:
        return bare(extra)


@pytest.fixture
def steps(installed: Installed, tmp_path: Path) -> Any:
    """The check, in and out scripts generated from the installed package, as the image generates them."""
    assets = tmp_path / "assets"
    run(
        [installed.python, "-m", "concoursetools", "assets", assets, "-r", "s3_presigned/resource.py"],
        cwd=installed.package.parent,
        env=bare(),
    )
    runner = InstalledRunner(assets, tmp_path, python=installed.python)
    yield runner
    found = [leak for result in runner.runs for leak in leaks(result)]
    assert not found, f"secrets leaked: {found}"


def test_the_installed_package_carries_its_pages_and_prepared_models(installed: Installed) -> None:
    assert installed.package.is_relative_to(installed.python.parent.parent)
    assert sorted(path.name for path in (installed.package / "outputs" / "page").iterdir()) == sorted(
        path.name for path in (ROOT / "s3_presigned" / "outputs" / "page").iterdir()
    )
    # The models prepared when the wheel was built are those the installed botocore reads: a step loads them.
    prepared = run(
        [
            installed.python,
            "-c",
            "from s3_presigned.s3.session import ModelFileLoader; print(ModelFileLoader().prepared)",
        ],
        cwd=installed.package.parent.parent,
        env=bare(),
    )
    assert Path(prepared.stdout.strip()) == installed.package / "s3" / "prepared"


def succeeded(result: StepResult) -> StepResult:
    assert result.returncode == 0, result.stderr
    return result


def test_every_step_kind_runs_from_the_installation_and_writes_every_file(s3: S3Server, steps: Any) -> None:
    bodies = {key: s3.put(key, f"the body of {key}".encode()) for key in ("i/a.txt", "i/b.txt", "i/c/d.txt")}
    assert succeeded(steps.run("check", {"source": s3.source()})).response == []
    assert list(succeeded(steps.run("out", {"source": s3.source(), "params": {}})).response["version"]) == [
        "execution_date"
    ]

    one = succeeded(steps.get(s3.source(), {"file_path": "i/a.txt"}))
    assert fetch(one.url)[1] == bodies["i/a.txt"]

    many = succeeded(steps.get(s3.source(), {"prefix": "i/"}))
    urls = json.loads(many.file("urls.json"))
    assert sorted(urls) == sorted(bodies)
    page = many.file("index.html")
    for key, url in urls.items():
        assert fetch(url)[1] == bodies[key]
        assert html.escape(url) in page
    assert [entry["key"] for entry in json.loads(many.file("manifest.json"))] == sorted(bodies)

    # rclone takes no upload forms, which the step's proof would find; the store tier proves them on stores that do.
    form = succeeded(
        steps.get(s3.source(), {"prefix": "uploads/", "method": "post", "max_size": "1MB", "verify": False})
    )
    fields = json.loads(form.file("fields.json"))
    assert fields["key"] == "uploads/${filename}"
    upload_page = form.file("upload.html")
    assert html.escape(form.file("url")) in upload_page
    assert all(html.escape(value) in upload_page for value in fields.values())


def lint(installed: Installed, cwd: Path, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [installed.command("s3-presigned-lint"), *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=bare(),
        check=False,
        timeout=60,
    )


def test_the_installed_lint_checks_pipelines_wherever_they_are(installed: Installed, tmp_path: Path) -> None:
    (tmp_path / "pipeline.yml").write_text(PIPELINE, encoding="utf-8")
    (tmp_path / "clean.yml").write_text("resources: [{name: r, type: s3-presigned-url, source: {bucket: bkt}}]\n")
    found = lint(installed, tmp_path, "pipeline.yml", "clean.yml")
    assert found.returncode == 1, found.stderr
    *lines, summary = found.stdout.splitlines()
    assert len(lines) == len(PROBLEMS)
    assert all(line.startswith(f"pipeline.yml: {problem}: ") for line, problem in zip(lines, PROBLEMS, strict=True))
    assert summary == f"s3-presigned-lint: {len(PROBLEMS)} problems in 1 of 2 files"
    assert lint(installed, tmp_path, "-", stdin=PIPELINE).stdout == found.stdout.replace(
        "pipeline.yml", "stdin"
    ).replace("1 of 2 files", "1 of 1 file")
    clean = lint(installed, tmp_path, "clean.yml")
    assert (clean.returncode, clean.stdout) == (0, "s3-presigned-lint: no problems in 1 file\n")
    assert lint(installed, tmp_path, "clean.yml", "missing.yml").returncode == 2
    usage = lint(installed, tmp_path, "--help")
    assert (usage.returncode, usage.stdout.splitlines()[0]) == (
        0,
        "usage: s3-presigned-lint [--only-pipelines] [-h] [FILE ...]",
    )


def test_the_pre_commit_hook_reports_every_problem_and_skips_other_yaml(source_tree: Path, tmp_path: Path) -> None:
    pipelines = tmp_path / "pipelines"
    pipelines.mkdir()
    (pipelines / "pipeline.yml").write_text(PIPELINE, encoding="utf-8")
    (pipelines / ".yamllint.yml").write_text("extends: default\n", encoding="utf-8")
    (pipelines / "stack.yml").write_text("kind: Service\n---\nkind: Deployment\n", encoding="utf-8")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-C", pipelines]
    run([*git, "init", "-q"])
    run([*git, "add", "-A"])
    pre_commit = Path(sys.executable).with_name("pre-commit")
    environment = os.environ | PINNED | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit")}
    environment.pop("PYTHONPATH", None)
    tried = subprocess.run(
        [pre_commit, "try-repo", source_tree, "s3-presigned-lint", "--all-files", "--color", "never"],
        capture_output=True,
        text=True,
        cwd=pipelines,
        env=environment,
        check=False,
        timeout=900,
    )
    assert tried.returncode == 1, f"{tried.stdout}\n{tried.stderr}"
    for problem in PROBLEMS:
        assert f"pipeline.yml: {problem}: " in tried.stdout, tried.stdout
    assert f"s3-presigned-lint: {len(PROBLEMS)} problems in 1 of 1 file; 2 files skipped: not pipelines" in tried.stdout
