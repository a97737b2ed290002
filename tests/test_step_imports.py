"""check and out run every minute in every pipeline, and never pay for botocore: asserted in the real scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT, VERSION, Runner, S3Server

# Recorded as the step exits: the scripts end with os._exit, which skips atexit handlers. The step's watcher
# exits too, after it, with the modules it had when it forked: appended, they add nothing the step lacks.
RECORDER = """\
import os, sys
_exit = os._exit
def _record_then_exit(code):
    with open(os.environ["MODULES_FILE"], "a") as modules:
        modules.write(f"pid {os.getpid()}\\n" + "\\n".join(sorted(sys.modules)) + "\\n")
    _exit(code)
os._exit = _record_then_exit
"""
ONLY_FOR_SIGNING = ("botocore", "boto3", "urllib3", "xml.etree", "s3_presigned.s3.store", "s3_presigned.steps.get")


def modules_by_process(runner: Runner, tmp_path: Path, step: str, request: dict[str, Any]) -> dict[int, set[str]]:
    """Run a step; return the modules each of its processes had as it exited, by process id."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(RECORDER)
    record = tmp_path / f"{step}-modules.txt"
    result = runner.run(step, request, env={"PYTHONPATH": f"{site}:{ROOT}", "MODULES_FILE": str(record)})
    assert result.returncode == 0, result.stderr
    processes: dict[int, set[str]] = {}
    for line in record.read_text().splitlines():
        if line.startswith("pid "):
            modules = processes.setdefault(int(line.removeprefix("pid ")), set())
        else:
            modules.add(line)
    return processes


def modules_after(runner: Runner, tmp_path: Path, step: str, request: dict[str, Any]) -> set[str]:
    return set().union(*modules_by_process(runner, tmp_path, step, request).values())


def loaded(modules: set[str], package: str) -> bool:
    return any(name == package or name.startswith(f"{package}.") for name in modules)


@pytest.mark.parametrize("step", ["check", "out"])
def test_check_and_out_never_import_botocore(s3: S3Server, runner: Runner, tmp_path: Path, step: str) -> None:
    request: dict[str, Any] = {"source": s3.source()} | ({"params": {}} if step == "out" else {})
    modules = modules_after(runner, tmp_path, step, request)
    assert "s3_presigned.resource" in modules
    assert [package for package in ONLY_FOR_SIGNING if loaded(modules, package)] == []


def test_in_does_import_botocore_so_the_check_above_can_fail(s3: S3Server, runner: Runner, tmp_path: Path) -> None:
    s3.put("imports/file.txt")
    request = {"source": s3.source(), "version": VERSION, "params": {"file_path": "imports/file.txt"}}
    modules = modules_after(runner, tmp_path, "in", request)
    assert loaded(modules, "botocore")
    assert loaded(modules, "s3_presigned.s3.store")


def test_the_watcher_starts_before_the_step_imports_what_it_needs(s3: S3Server, runner: Runner, tmp_path: Path) -> None:
    # The watcher has what the step had when it forked, and imports nothing after: a signal that comes while
    # the step imports concoursetools and botocore finds the watcher already answering it.
    s3.put("imports/early.txt")
    request = {"source": s3.source(), "version": VERSION, "params": {"file_path": "imports/early.txt"}}
    processes = modules_by_process(runner, tmp_path, "in", request)
    assert len(processes) >= 2  # the watcher and the step; and the step's guard, unless a terminal runs the tests
    watcher = min(processes.values(), key=len)
    assert "s3_presigned.core.lifetime" in watcher
    assert [package for package in ("concoursetools", *ONLY_FOR_SIGNING) if loaded(watcher, package)] == []
    assert loaded(max(processes.values(), key=len), "botocore")
