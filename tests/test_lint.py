"""The pipeline lint: every misuse named with its job and step, ((vars)) taken as unknown, the examples clean."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from s3_presigned import lint
from tests.support import ROOT

EXAMPLES = sorted((ROOT / "pipeline-examples").glob("*.yml"))

BROKEN = """
resource_types:
  - name: presigned
    type: registry-image
    source: {repository: registry.example.com/team/s3-presigned-url, tag: "0.1.0"}
resources:
  - name: link
    type: presigned
    source:
      bucket: ((bucket))
      access_key_id: ((aws.id))
      secret_access_key: ((aws.secret))
  - name: bad-source
    type: presigned
    source: {bucket: b, expires_in: 1h}
  - name: other
    type: s3
    source: {bucket: b, nonsense: true}
jobs:
  - name: share
    plan:
      - put: link
        get_params: {file_path: a.txt, expire_in: 1h}
      - in_parallel:
          steps:
            - put: link
              get_params: {prefix: p/, version_id: abc}
            - do:
                - put: link
                  get_params: {file_path: a.txt, expires_in: 3 days}
      - put: link
        get_params: {file_path: a.txt, region: eu-west-2}
        ensure:
          put: renamed
          resource: link
          params: {file_path: a.txt}
      - get: link
  - name: fine
    plan:
      - put: link
        get_params:
          file_path: builds/app-((.:version)).tgz
          expires_in: ((ttl))
          method: ((method))
      - put: bad-source
        get_params: {file_path: a.txt}
"""


def run_lint(text: str) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = lint.main(["lint", "-"], io.StringIO(text), out)
    return code, out.getvalue().splitlines()


def test_each_misuse_is_one_line_naming_its_place() -> None:
    code, lines = run_lint(BROKEN)
    assert code == 1
    assert lines == [
        (
            "stdin: resource bad-source: source.expires_in: belongs under the put's get_params, not source: it says "
            "what to sign"
        ),
        (
            "stdin: job share, step put: link: params.expire_in: unknown field; did you mean 'expires_in'? accepted: "
            + ", ".join(field.name for field in lint.fields.PARAMS)
        ),
        "stdin: job share, step put: link: params.version_id: applies to file_path only, not to prefix",
        (
            "stdin: job share, step put: link: params.expires_in: '3 days' is not a duration; expected seconds as a "
            "whole number from 60, a duration such as 90s, 1h30m or 7d, or a mapping such as {hours: 24}"
        ),
        "stdin: job share, step put: link: params.region: belongs under source, not the put's get_params",
        (
            "stdin: job share, step put: renamed: params.file_path: belongs under the put's get_params, not params: "
            "the URL is signed by the get that follows the put"
        ),
        (
            "stdin: job share, step get: link: this resource has no versions to get; use put with get_params, as its "
            "README shows"
        ),
    ]


def test_vars_are_unknown_not_errors_but_their_fields_are_still_checked() -> None:
    code, lines = run_lint(BROKEN)
    assert not [line for line in lines if "job fine" in line]
    assert code == 1
    _, misplaced = run_lint(BROKEN.replace("expires_in: ((ttl))", "expiry: ((ttl))"))
    assert any(
        "job fine, step put: link: params.expiry: unknown field; did you mean 'expires_in'?" in line
        for line in misplaced
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_every_example_passes(example: Path) -> None:
    code, lines = run_lint(example.read_text(encoding="utf-8"))
    assert (code, lines) == (0, [])


def test_a_pipeline_that_uses_the_type_by_name_alone_is_checked() -> None:
    pipeline = "resources: [{name: r, type: s3-presigned-url, source: {}}]\njobs: []\n"
    assert run_lint(pipeline) == (
        1,
        ["stdin: resource r: source.bucket: required; please specify the bucket name, such as my-bucket"],
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("- just a list", "stdin: the pipeline: expected a mapping with resource_types, resources and jobs"),
        (
            "resources: [{name: r, type: s3-presigned-url, source: [1]}]",
            "stdin: resource r: source: expected a mapping",
        ),
    ],
)
def test_a_pipeline_of_the_wrong_shape_is_named(text: str, line: str) -> None:
    assert run_lint(text) == (1, [line])


def test_the_command_reads_a_file_or_stdin_and_fails_on_yaml_it_cannot_read(tmp_path: Path) -> None:
    pipeline = tmp_path / "pipeline.yml"
    pipeline.write_text(BROKEN, encoding="utf-8")
    command = [sys.executable, "-m", "s3_presigned.lint"]
    by_file = subprocess.run([*command, str(pipeline)], capture_output=True, text=True, cwd=ROOT, check=False)
    by_stdin = subprocess.run(command, input=BROKEN, capture_output=True, text=True, cwd=ROOT, check=False)
    assert by_file.returncode == by_stdin.returncode == 1
    assert by_file.stdout.replace(str(pipeline), "stdin") == by_stdin.stdout
    assert by_stdin.stdout.count("\n") == 7
    broken = subprocess.run(command, input="a: [", capture_output=True, text=True, cwd=ROOT, check=False)
    assert broken.returncode == 2
    assert broken.stdout.startswith("stdin: cannot read the pipeline: while parsing a flow")
    assert broken.stdout.count("\n") == 1
