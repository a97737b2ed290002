"""Random JSON of any shape at the request parser: a valid request or the one-line error, never a crash."""

from __future__ import annotations

import io
import json
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from s3_presigned.resource import PresignedUrlResource
from s3_presigned.steps import envelope
from tests.support import step_environment

json_values = st.recursive(
    # Any code point, lone surrogates included: JSON can carry them.
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(exclude_categories=()), max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
SOURCE_KEYS = [
    "bucket",
    "region",
    "endpoint",
    "addressing_style",
    "access_key_id",
    "secret_access_key",
    "role_arn",
    "key_prefix",
]
PARAM_KEYS = ["file_path", "expires_in", "file_name", "disposition", "content_type", "url_file", "verify", "version_id"]
plausible_source = st.dictionaries(
    st.sampled_from(SOURCE_KEYS), json_values | st.text(string.ascii_lowercase + "-.:/", max_size=12)
)
plausible_params = st.dictionaries(
    st.sampled_from(PARAM_KEYS), json_values | st.text(string.ascii_letters + "/.", max_size=12)
)
# Random fields on top of a valid request, so that many examples get past validation and sign. None may
# reach a network: they sign offline, for a closed port, without HEAD.
OFFLINE = {"endpoint": "http://127.0.0.1:9", "access_key_id": "AKID", "secret_access_key": "SECRET"}
offline_source = plausible_source.map(lambda s: {"bucket": "bucket"} | s | OFFLINE)
offline_params = plausible_params.map(lambda p: {"file_path": "folder/file.txt"} | p | {"verify": False})
requests = st.one_of(
    json_values.map(json.dumps),
    st.text(max_size=40),
    st.fixed_dictionaries({"source": offline_source, "version": json_values, "params": offline_params}).map(json.dumps),
    st.fixed_dictionaries(
        {"source": offline_source, "version": st.just({"execution_date": "1767225600"}), "params": offline_params}
    ).map(json.dumps),
)


@pytest.fixture(autouse=True)
def offline_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in step_environment().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(raw=requests, step=st.sampled_from(["check", "in", "out"]))
def test_any_request_gets_a_response_or_one_line(raw: str, step: str, tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = envelope.run(PresignedUrlResource, step, io.StringIO(raw), stdout, stderr, ["step", str(tmp_path)], {})
    event(f"{step} exit {code}")
    if code == 0:
        response = json.loads(stdout.getvalue())
        assert isinstance(response, list if step == "check" else dict)
        assert stderr.getvalue() == ""
    else:
        assert stdout.getvalue() == ""
        message = stderr.getvalue()
        assert message.startswith("error: ")
        assert message.count("\n") == 1
        assert message.endswith("\n")
        assert "unexpected" not in message, message
