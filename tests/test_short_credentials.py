"""Credentials too short to tell from data, such as LocalStack's test/test: the files and the lines say the data.

The store here accepts the short keys beside the suite's own, as rclone does with more than one ``--auth-key``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from s3_presigned.core.gate import MARKER
from tests.conftest import serve_rclone
from tests.support import BUCKET, Runner, S3Server, StepResult

SHORT_KEYS = {"test": "test", "a": "b"}


@pytest.fixture(scope="module")
def lenient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    root = tmp_path_factory.mktemp("short-keys")
    (root / BUCKET).mkdir()
    flags = [argument for pair in SHORT_KEYS.items() for argument in ("--auth-key", ",".join(pair))]
    with serve_rclone(root, *flags) as port:
        yield S3Server(f"http://127.0.0.1:{port}", root)


def short(server: S3Server, key_id: str) -> dict[str, object]:
    return server.source(access_key_id=key_id, secret_access_key=SHORT_KEYS[key_id])


def files(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in directory.iterdir() if path.is_file()}


def blanked(result: StepResult) -> list[str]:
    """Where the step blanked anything: in the answer, the log, or a file."""
    places = {"stdout": result.stdout, "stderr": result.stderr, **files(result.directory)}
    return [place for place, text in places.items() if MARKER in text]


def test_test_test_keys_leave_a_key_holding_test_as_the_store_listed_it(lenient: S3Server, runner: Runner) -> None:
    for version in ("1.2.0", "1.10.0"):
        lenient.put(f"test/app-{version}.tgz")
    result = runner.get(short(lenient, "test"), {"regexp": r"test/app-(.*)\.tgz"})
    assert result.returncode == 0, result.stderr
    written = files(result.directory)
    assert (written["key"], written["version"]) == ("test/app-1.10.0.tgz", "1.10.0")
    assert result.metadata["key"] == "test/app-1.10.0.tgz"
    assert result.metadata["version"] == "1.10.0"
    assert not blanked(result)


def test_test_test_keys_leave_every_listed_name_as_it_is(lenient: S3Server, runner: Runner) -> None:
    keys = ["test/latest/test-report.txt", "test/latest/contest.txt"]
    for key in keys:
        lenient.put(key)
    result = runner.get(short(lenient, "test"), {"prefix": "test/latest/"})
    assert result.returncode == 0, result.stderr
    assert sorted(json.loads(result.file("urls.json"))) == sorted(keys)
    assert result.metadata["keys"] == ", ".join(sorted(keys))
    assert not blanked(result)


def test_a_one_letter_key_blanks_no_word_of_a_failure(lenient: S3Server, runner: Runner) -> None:
    result = runner.get(short(lenient, "a"), {"file_path": "a/b/a missing file"})
    assert result.returncode != 0
    # rclone may not take a key this short at all: whatever the cause, the line names the key as it is.
    assert f"s3://{BUCKET}/a/b/a missing file" in result.stderr, result.stderr
    assert not blanked(result)
