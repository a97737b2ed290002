"""What rclone cannot tell: the host and the credential scope of AWS URLs, read from the URL itself."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support import ACCESS_KEY, SECRET_KEY, Runner

AWS_SOURCE = {"bucket": "my-bucket", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}


def signed(runner: Runner, source: dict[str, object], env: dict[str, str] | None = None) -> tuple[str, str, str]:
    result = runner.get(source, {"file_path": "dir/file name.txt", "verify": False}, env=env)
    parts = urlsplit(result.url)
    scope = parse_qs(parts.query)["X-Amz-Credential"][0].split("/", 2)[2]
    return parts.netloc, parts.path, scope


@pytest.mark.parametrize("region", ["eu-west-2", "us-east-1", "ap-southeast-2", "us-gov-west-1"])
def test_aws_urls_use_the_regional_virtual_host(in_process: Runner, region: str) -> None:
    host, path, scope = signed(in_process, AWS_SOURCE | {"region": region})
    assert host == f"my-bucket.s3.{region}.amazonaws.com"
    assert path == "/dir/file%20name.txt"
    assert scope == f"{region}/s3/aws4_request"


def test_a_bucket_with_dots_uses_path_style(in_process: Runner) -> None:
    host, path, _ = signed(in_process, AWS_SOURCE | {"bucket": "my.dotted.bucket", "region": "eu-west-2"})
    assert host == "s3.eu-west-2.amazonaws.com"
    assert path == "/my.dotted.bucket/dir/file%20name.txt"


def test_path_style_on_request(in_process: Runner) -> None:
    host, path, _ = signed(in_process, AWS_SOURCE | {"region": "eu-west-2", "addressing_style": "path"})
    assert (host, path) == ("s3.eu-west-2.amazonaws.com", "/my-bucket/dir/file%20name.txt")


def test_region_comes_from_the_environment(runner: Runner) -> None:
    host, _, scope = signed(runner, AWS_SOURCE, env={"AWS_REGION": "eu-central-1"})
    assert host == "my-bucket.s3.eu-central-1.amazonaws.com"
    assert scope == "eu-central-1/s3/aws4_request"


def test_no_region_anywhere_fails_and_says_so(runner: Runner) -> None:
    result = runner.get(AWS_SOURCE, {"file_path": "x", "verify": False})
    assert result.returncode != 0
    assert result.stderr.startswith("error: source.region: no region is set")
    assert result.stderr.count("\n") == 1


def test_custom_endpoint_defaults_to_path_style_and_us_east_1(in_process: Runner) -> None:
    host, path, scope = signed(in_process, AWS_SOURCE | {"endpoint": "https://minio.example.com:9000"})
    assert host == "minio.example.com:9000"
    assert path == "/my-bucket/dir/file%20name.txt"
    assert scope == "us-east-1/s3/aws4_request"


def test_custom_endpoint_with_virtual_hosts_and_region(in_process: Runner) -> None:
    source = AWS_SOURCE | {"endpoint": "https://store.example.com", "addressing_style": "virtual", "region": "auto"}
    host, path, scope = signed(in_process, source)
    assert host == "my-bucket.store.example.com"
    assert path == "/dir/file%20name.txt"
    assert scope == "auto/s3/aws4_request"
