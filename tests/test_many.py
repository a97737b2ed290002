"""Many objects in one step: a list of keys, a prefix, and the newest regexp match, from one listing."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from s3_presigned.steps.select import version_order
from tests.conftest import serve_rclone
from tests.fake_s3 import FakeBucket, fake_source
from tests.support import BUCKET, Runner, S3Server, fetch


def put_many(s3: S3Server, keys: list[str]) -> dict[str, bytes]:
    with ThreadPoolExecutor(max_workers=16) as pool:
        return dict(zip(keys, pool.map(s3.put, keys), strict=True))


def test_file_paths_sign_each_key(s3: S3Server, runner: Runner) -> None:
    bodies = put_many(s3, ["list/a.txt", "list/b c.txt", "list/sub/ü.txt"])
    result = runner.get(s3.source(), {"file_paths": list(bodies), "expires_in": "2h"})
    urls = json.loads(result.file("urls.json"))
    manifest = json.loads(result.file("manifest.json"))
    assert list(urls) == list(bodies)
    assert [entry["key"] for entry in manifest] == list(bodies)
    for entry in manifest:
        assert entry["url"] == urls[entry["key"]]
        assert entry["expires_at"] == result.file("expires_at")
        assert entry["size"] == len(bodies[entry["key"]])
        assert entry["etag"]
        assert fetch(entry["url"])[1] == bodies[entry["key"]]
    assert result.metadata["count"] == "3"
    assert not (result.directory / "url").exists()


def test_file_paths_with_a_missing_key_fail_naming_it(fake_bucket: FakeBucket, over_fake: Runner) -> None:
    for key in ["list2/a.txt", "list2/b.txt"]:
        fake_bucket.put(key)
    result = over_fake.get(fake_source(), {"file_paths": ["list2/a.txt", "list2/missing.txt", "list2/b.txt"]})
    assert result.returncode != 0
    assert result.stderr == (
        "error: params.file_paths: not in s3://bucket: list2/missing.txt; check the keys and source.key_prefix\n"
    )
    assert list(result.directory.iterdir()) == []


def test_prefix_past_one_page_of_listing(tmp_path: Path, runner: Runner) -> None:
    # A server of the test's own, its files written before it starts, which lists them 1,000 to a page.
    root = tmp_path / "s3"
    keys = [f"artifacts/abc123/part-{n:04}.bin" for n in range(1203)]
    bodies = {key: f"contents of {key}".encode() for key in [*keys, "artifacts/abc1234/not-this-one.bin"]}
    for key, body in bodies.items():
        (root / BUCKET / key).parent.mkdir(parents=True, exist_ok=True)
        (root / BUCKET / key).write_bytes(body)
    with serve_rclone(root) as port:
        s3 = S3Server(f"http://127.0.0.1:{port}", root)
        result = runner.get(s3.source(), {"prefix": "artifacts/abc123/", "max_objects": 2000})
        fetched = {
            key: fetch(json.loads(result.file("urls.json"))[key])[1]
            for key in (keys[0], keys[999], keys[1000], keys[-1])
        }
    urls = json.loads(result.file("urls.json"))
    assert sorted(urls) == sorted(keys)
    assert result.metadata["count"] == "1203"
    assert result.metadata["keys"].endswith("and 1198 more")
    assert len(result.stdout) < 2000
    for key, body in fetched.items():
        assert body == bodies[key]


def test_a_prefix_past_max_objects_fails_with_the_count_so_far(fake_bucket: FakeBucket, over_fake: Runner) -> None:
    for n in range(12):
        fake_bucket.put(f"limit/{n:02}.txt")
    fake_bucket.page = 5  # the limit holds across pages, and counts what the pages listed so far
    params = {"prefix": "limit/", "verify": False}
    assert over_fake.get(fake_source(), params | {"max_objects": 12}).metadata["count"] == "12"
    result = over_fake.get(fake_source(), params | {"max_objects": 11})
    assert result.stderr == (
        "error: params.max_objects: more than 11 objects under s3://bucket/limit/ (12 listed so far); "
        "raise max_objects to sign more, or narrow the prefix\n"
    )
    assert list(result.directory.iterdir()) == []


def test_empty_prefix_fails_unless_allowed(over_fake: Runner) -> None:
    refused = over_fake.get(fake_source(), {"prefix": "nothing/here/"})
    assert refused.returncode != 0
    assert refused.stderr.startswith("error: params.prefix: no objects under s3://bucket/nothing/here/")
    allowed = over_fake.get(fake_source(), {"prefix": "nothing/here/", "allow_empty": True})
    assert json.loads(allowed.file("urls.json")) == {}
    assert allowed.metadata["count"] == "0"


def test_prefix_respects_key_prefix(fake_bucket: FakeBucket, over_fake: Runner) -> None:
    for key in ["u/team/builds/1.txt", "u/team/builds/2.txt", "u/other/builds/3.txt"]:
        fake_bucket.put(key)
    result = over_fake.get(fake_source(key_prefix="u/team/"), {"prefix": "builds/", "verify": False})
    assert sorted(json.loads(result.file("urls.json"))) == ["u/team/builds/1.txt", "u/team/builds/2.txt"]


VERSIONS = ["1.2", "1.9", "1.10", "1.10.1-rc1", "0.9", "1.10.0", "1.3"]


def test_regexp_picks_the_newest_version(s3: S3Server, runner: Runner) -> None:
    bodies = put_many(s3, [f"releases/app-{version}.tgz" for version in VERSIONS] + ["releases/app-notes.txt"])
    result = runner.get(s3.source(), {"regexp": r"releases/app-(\d[\d.a-z-]*)\.tgz", "file_name": "app.tgz"})
    assert result.file("version") == "1.10.1-rc1"
    assert result.file("key") == "releases/app-1.10.1-rc1.tgz"
    assert result.metadata["version"] == "1.10.1-rc1"
    status, content, _ = fetch(result.url)
    assert (status, content) == (200, bodies["releases/app-1.10.1-rc1.tgz"])
    assert list(json.loads(result.file("urls.json"))) == ["releases/app-1.10.1-rc1.tgz"]


def test_regexp_that_matches_nothing_fails(fake_bucket: FakeBucket, over_fake: Runner) -> None:
    fake_bucket.put("releases/app-1.0.tgz")
    result = over_fake.get(fake_source(), {"regexp": r"releases/none-(.*)\.tgz"})
    assert result.returncode != 0
    assert "matches the regexp" in result.stderr


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("1.9", "1.10"),
        ("17.4", "17.10"),
        ("1.0.0-rc1", "1.0.0"),
        ("1.0.0-rc1", "1.0.0-rc2"),
        ("1.0.0-rc9", "1.0.0-rc10"),
        ("0.9.9", "1.0"),
        ("2024-01-05", "2024-01-15"),
        ("1.0", "1.0.1"),
        ("beta", "1"),
    ],
)
def test_version_order(older: str, newer: str) -> None:
    assert version_order(older) < version_order(newer)


def test_one_selector_only(over_fake: Runner) -> None:
    result = over_fake.get(fake_source(), {"file_path": "a", "prefix": "b/"})
    expected = "please specify only one of file_path, file_paths, prefix, regexp; got file_path and prefix"
    assert result.stderr == f"error: params.prefix: {expected}\n"
