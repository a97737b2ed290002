"""Where the signing credentials come from, and the rule that a URL cannot outlive temporary ones."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support import ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, Runner, S3Server, fetch

ROLE_ARN = "arn:aws:iam::123456789012:role/artifact-sharing"


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def expiry_of(result_file: str) -> datetime.datetime:
    return datetime.datetime.strptime(result_file, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)


def test_default_chain_from_the_environment(s3: S3Server, runner: Runner) -> None:
    body = s3.put("chain/env.txt")
    source = {"bucket": "bucket", "endpoint": s3.endpoint}
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    result = runner.get(source, {"file_path": "chain/env.txt"}, env=env)
    assert fetch(result.url)[1] == body


def test_no_credentials_anywhere_fails_and_says_so(s3: S3Server, runner: Runner) -> None:
    result = runner.get({"bucket": "bucket", "endpoint": s3.endpoint}, {"file_path": "x", "verify": False})
    assert result.returncode != 0
    assert result.stderr.startswith("error: credentials: none found;")
    assert result.stderr.count("\n") == 1


def test_session_token_is_signed_into_the_url(s3: S3Server, runner: Runner) -> None:
    result = runner.get(s3.source(session_token=SESSION_TOKEN), {"file_path": "t.txt", "verify": False})
    assert query(result.url)["X-Amz-Security-Token"] == SESSION_TOKEN


def credential_process_config(tmp_path: Path, expires_in: datetime.timedelta) -> dict[str, str]:
    """An AWS config whose credential_process hands out keys that expire: a refreshable provider."""
    expiration = (datetime.datetime.now(datetime.UTC) + expires_in).strftime("%Y-%m-%dT%H:%M:%SZ")
    issued = {"Version": 1, "AccessKeyId": ACCESS_KEY, "SecretAccessKey": SECRET_KEY, "Expiration": expiration}
    helper = tmp_path / "issue_credentials.py"
    helper.write_text(f"print({json.dumps(json.dumps(issued))})\n")
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\ncredential_process = {sys.executable} {helper}\n")
    return {"AWS_CONFIG_FILE": str(config), "EXPIRATION": expiration}


def test_credentials_expiring_before_the_url_fail_naming_both_times(
    s3: S3Server, runner: Runner, tmp_path: Path
) -> None:
    env = credential_process_config(tmp_path, datetime.timedelta(minutes=15))
    source = {"bucket": "bucket", "endpoint": s3.endpoint}
    result = runner.get(source, {"file_path": "x", "expires_in": "7d", "verify": False}, env=env)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert "params.expires_in: the URL would expire at" in result.stderr
    assert env["EXPIRATION"] in result.stderr
    assert "allow_shorter_expiry" in result.stderr
    assert not any(result.directory.iterdir())


def test_allow_shorter_expiry_ends_the_url_with_the_credentials(s3: S3Server, runner: Runner, tmp_path: Path) -> None:
    body = s3.put("chain/short.txt")
    env = credential_process_config(tmp_path, datetime.timedelta(minutes=15))
    source = {"bucket": "bucket", "endpoint": s3.endpoint}
    params = {"file_path": "chain/short.txt", "expires_in": "7d", "allow_shorter_expiry": True}
    result = runner.get(source, params, env=env)
    credentials_expire = expiry_of(env["EXPIRATION"])
    assert (
        credentials_expire - datetime.timedelta(seconds=2) <= expiry_of(result.file("expires_at")) <= credentials_expire
    )
    assert 880 <= int(result.metadata["expires_in"]) <= 900
    assert result.metadata["expires_at"] == result.file("expires_at")
    assert fetch(result.url)[1] == body


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ({"AWS_PROFILE": "no-such-profile"}, "The config profile (no-such-profile) could not be found"),
        ({"AWS_CONFIG_FILE": "{broken}"}, "Unable to parse config file"),
    ],
)
def test_a_broken_aws_config_fails_in_one_line(
    s3: S3Server, runner: Runner, tmp_path: Path, setting: dict[str, str], said: str
) -> None:
    broken = tmp_path / "config"
    broken.write_text("[default\nregion = eu-west-2\n")
    env = {name: value.format(broken=broken) for name, value in setting.items()}
    result = runner.get(s3.source(), {"file_path": "x.txt"}, env=env)
    assert result.returncode != 0
    assert result.stderr.startswith("error: AWS config: ")
    assert said in result.stderr
    assert result.stderr.rstrip().endswith("check AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("printed", "cause"),
    [
        ("", "JSONDecodeError"),
        ("not json", "JSONDecodeError"),
        ("[1]", "AttributeError"),
        ('"keys"', "AttributeError"),
        ('{"Version": 1, "AccessKeyId": 1, "SecretAccessKey": 2}', "a key that is not text"),
        ('{"Version": 1, "AccessKeyId": "a", "SecretAccessKey": "b", "Expiration": "soon"}', "ParserError"),
    ],
)
def test_a_credential_process_that_prints_no_credentials_is_one_line_naming_the_chain(
    runner: Runner, tmp_path: Path, printed: str, cause: str
) -> None:
    output = tmp_path / "printed"
    output.write_text(printed)
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\ncredential_process = {sys.executable} -c \"print(open('{output}').read())\"\n")
    source = {"bucket": "bucket", "endpoint": "http://127.0.0.1:9"}
    result = runner.get(source, {"file_path": "x", "verify": False}, env={"AWS_CONFIG_FILE": str(config)})
    assert result.returncode == 1
    assert result.stderr == (
        f"error: credentials: the AWS credential chain failed: a provider's answer could not be read ({cause}); a "
        'credential_process must print one JSON object such as {"Version": 1, "AccessKeyId": "...", '
        '"SecretAccessKey": "..."}\n'
    )


def test_a_credential_process_s_own_words_are_shown_by_shape(s3: S3Server, runner: Runner, tmp_path: Path) -> None:
    # What another program prints is its text, not the step's: a token it quotes, which the step never learnt, goes.
    vault_token = "hvs.CAESIJlU2Fsdjc4Zm9vYmFyYmF6cXV4MTIzNDU2"
    helper = tmp_path / "failing_process.py"
    helper.write_text(
        f"import sys\nsys.stderr.write('vault: permission denied for token {vault_token}')\nsys.exit(2)\n"
    )
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\ncredential_process = {sys.executable} {helper}\n")
    result = runner.get(
        {"bucket": "bucket", "endpoint": s3.endpoint}, {"file_path": "x"}, env={"AWS_CONFIG_FILE": str(config)}
    )
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1
    assert "permission denied for token" in result.stderr
    assert "CAESIJ" not in result.stderr


def test_a_key_that_names_the_access_key_id_is_written_as_listed(s3: S3Server, runner: Runner) -> None:
    # The access key id is in every link the step hands out: a file an uploader names after it is still data.
    s3.put(f"inbox/{ACCESS_KEY}-report.txt")
    result = runner.get(s3.source(), {"regexp": r"inbox/(.*)-report\.txt"})
    assert result.file("key") == f"inbox/{ACCESS_KEY}-report.txt"
    assert result.metadata["key"] == f"inbox/{ACCESS_KEY}-report.txt"
