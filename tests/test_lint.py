"""The pipeline lint: every misuse named with its job and step, ((vars)) taken as unknown, the examples clean."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from s3_presigned import lint
from s3_presigned.lint import pipeline_file
from s3_presigned.request import fields
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
    source: {bucket: bkt, expires_in: 1h}
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
    """Lint a pipeline given on stdin; return the exit status and the problems, the summary checked and left off."""
    out = io.StringIO()
    code = lint.main(["lint", "-"], io.StringIO(text), out)
    *lines, summary = out.getvalue().splitlines()
    assert summary.startswith("s3-presigned-lint: "), summary
    return code, lines


def test_each_misuse_is_one_line_naming_its_place() -> None:
    code, lines = run_lint(BROKEN)
    assert code == 1
    assert lines == [
        (
            "stdin: resource bad-source: source.expires_in: belongs under the put's get_params, not source: it says "
            "what to sign"
        ),
        (
            "stdin: job share, step put: link: get_params.expire_in: unknown field; did you mean 'expires_in'? "
            "accepted: " + ", ".join(field.name for field in fields.PARAMS)
        ),
        "stdin: job share, step put: link: get_params.version_id: applies to file_path only, not to prefix",
        (
            "stdin: job share, step put: link: get_params.expires_in: '3 days' is not a duration; expected seconds "
            "as a whole number from 60, a duration such as 90s, 1h30m or 7d, or a mapping such as {hours: 24}"
        ),
        "stdin: job share, step put: link: get_params.region: belongs under source, not the put's get_params",
        (
            "stdin: job share, step put: renamed: params.file_path: belongs under the put's get_params, not params: "
            "the URL is signed by the get that follows the put"
        ),
        (
            "stdin: job share, step put: renamed: get_params.file_path: required; please specify the object key, or "
            "one of file_paths, prefix or regexp, under get_params"
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
        "job fine, step put: link: get_params.expiry: unknown field; did you mean 'expires_in'?" in line
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
    assert by_stdin.stdout.count("\n") == 8 + 1
    assert by_stdin.stdout.endswith("\ns3-presigned-lint: 8 problems in 1 of 1 file\n")
    broken = subprocess.run(command, input="a: [", capture_output=True, text=True, cwd=ROOT, check=False)
    assert broken.returncode == 2
    assert broken.stdout.startswith("stdin: cannot read the pipeline: while parsing a flow")
    assert broken.stdout.splitlines()[1:] == ["s3-presigned-lint: 1 file could not be read"]


VARS_AND_HOOKS = """
resource_types:
  - name: links
    type: registry-image
    source: {repository: "registry.example.com/s3-presigned-url:0.1.0@sha256:0123"}
resources:
  - name: link
    type: links
    source: {bucket: bkt, ca_bundle: ((ca)), skip_ssl_verification: ((skip))}
  - name: tagged
    type: links
    source: {bucket: bkt, bogus_key: 1}
jobs:
  - name: vars
    plan:
      - put: link
        get_params: {file_path: x, method: ((m)), file_name: y.txt}
      - put: link
        get_params: {method: post, file_path: x, min_size: ((least)), max_size: 500}
      - put: link
        get_params: {file_paths: [a, b, c, d, e, f, g, h, i, j, k], max_objects: ((n))}
      - put: link
        get_params: {method: post, file_path: x, max_size: ((most)), file_name: y.txt}
  - name: hooks
    plan: []
    on_success: {put: link, get_params: {bogus: 1}}
    ensure: {put: link, params: {file_path: y}, get_params: {file_path: y}}
"""


def test_a_var_is_unknown_whatever_the_fields_it_meets_and_a_jobs_own_hooks_are_checked() -> None:
    code, lines = run_lint(VARS_AND_HOOKS)
    assert code == 1
    assert lines == [
        "stdin: resource tagged: source.bogus_key: unknown field; accepted: "
        + ", ".join(name for field in fields.SOURCE for name in (field.name, *field.aliases)),
        # Whatever max_size turns out to be, a file_name has no place in an upload form.
        (
            "stdin: job vars, step put: link: get_params.file_name: applies to download links (method: get), not to "
            "upload forms (method: post)"
        ),
        (
            "stdin: job hooks, step put: link: get_params.bogus: unknown field; accepted: "
            + ", ".join(field.name for field in fields.PARAMS)
        ),
        (
            "stdin: job hooks, step put: link: get_params.file_path: required; please specify the object key, or one "
            "of file_paths, prefix or regexp, under get_params"
        ),
        (
            "stdin: job hooks, step put: link: params.file_path: belongs under the put's get_params, not params: "
            "the URL is signed by the get that follows the put"
        ),
    ]


def test_a_file_it_cannot_read_or_steps_nested_past_reading_are_one_line(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.yml"
    latin1.write_bytes(b"resources: [{name: r, type: s3-presigned-url, source: {bucket: caf\xe9}}]\n")
    out = io.StringIO()
    assert lint.main(["lint", str(latin1)], io.StringIO(), out) == 2
    assert out.getvalue().startswith(f"{latin1}: cannot read the pipeline: 'utf-8' codec can't decode byte 0xe9")
    assert out.getvalue().splitlines()[1:] == ["s3-presigned-lint: 1 file could not be read"]
    nested = "{put: link}"
    for _ in range(2000):
        nested = f"{{do: [{nested}]}}"
    deep = (
        "resources: [{name: link, type: s3-presigned-url, source: {bucket: bkt}}]\n"
        f"jobs: [{{name: j, plan: [{nested}]}}]"
    )
    assert run_lint(deep) == (2, ["stdin: cannot read the pipeline: it is nested too deeply"])


@pytest.mark.parametrize(
    "pipeline",
    [
        # A method from a var may be post, which takes max_size.
        (
            "resources: [{name: r, type: s3-presigned-url, source: {bucket: bkt}}]\n"
            "jobs: [{name: j, plan: [{put: r, get_params: {method: ((method)), file_path: a, max_size: 1MB}}]}]"
        ),
        # A whole section may come from a var.
        (
            "resources: [{name: r, type: s3-presigned-url, source: ((s3-source))}]\n"
            "jobs: [{name: j, plan: [{put: r, get_params: ((share-params))}]}]"
        ),
        # A type that is no name is no type of this resource's, and no traceback.
        "resource_types: [{name: [x], type: registry-image}]\nresources: [{name: r, type: [s3-presigned-url]}]",
    ],
    ids=["method-from-a-var", "sections-from-vars", "types-that-are-lists"],
)
def test_what_a_var_may_make_valid_or_what_is_no_type_is_not_reported(pipeline: str) -> None:
    assert run_lint(pipeline) == (0, [])


def test_every_problem_of_a_step_is_told_in_one_run_by_the_name_the_pipeline_gives_it() -> None:
    pipeline = (
        "resources: [{name: r, type: s3-presigned-url, source: {bucket: bkt, expires_in: 1h}}]\n"
        "jobs: [{name: j, plan: [{put: r, params: {prefix: p/}, get_params: {file_path: a, max_size: 10MB, "
        "expires_in: 3 days, bogus: 1, region: x}}]}]"
    )
    code, lines = run_lint(pipeline)
    assert code == 1
    assert [next(part for part in line.split(": ") if "." in part) for line in lines] == [
        "source.expires_in",
        "params.prefix",
        "get_params.bogus",
        "get_params.region",
        "get_params.max_size",
        "get_params.expires_in",
    ]


@pytest.mark.parametrize(
    ("get_params", "problem"),
    [
        (
            "{file_path: ((.:v))/app.tgz, max_size: 10MB}",
            "get_params.max_size: applies to upload forms (method: post), not to download links (method: get)",
        ),
        (
            "{prefix: in/((.:v))/, method: post}",
            "get_params.max_size: required with method: post; the largest upload, such as 100MB or 2GiB",
        ),
        ("{file_path: ((key)), expires_in: 3 days}", "get_params.expires_in: '3 days' is not a duration"),
    ],
)
def test_what_is_known_is_checked_whatever_a_var_beside_it_holds(get_params: str, problem: str) -> None:
    pipeline = (
        "resources: [{name: r, type: s3-presigned-url, source: {bucket: bkt}}]\n"
        f"jobs: [{{name: j, plan: [{{put: r, get_params: {get_params}}}]}}]"
    )
    code, lines = run_lint(pipeline)
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"stdin: job j, step put: r: {problem}"), lines


DEFAULTS = """
resource_types:
  - name: links
    type: registry-image
    source: {repository: registry.example.com/s3-presigned-url}
    defaults: {bucket: from-defaults, region: eu-west-2, expires_in: 1h}
  - name: other
    type: registry-image
    source: {repository: registry.example.com/something-else}
    defaults: {bucket: ""}
resources:
  - name: given
    type: links
    source: {access_key_id: a, secret_access_key: b}
  - name: own-wins
    type: links
    source: {bucket: "s3://not-a-bucket"}
  - name: unrelated
    type: other
    source: {}
"""


def test_a_types_defaults_are_merged_into_each_source_its_own_keys_winning() -> None:
    code, lines = run_lint(DEFAULTS)
    assert code == 1
    # The bucket comes from the defaults, and the defaults' misplaced expires_in is each resource's problem.
    assert [line.split(": ", 3)[1:3] for line in lines] == [
        ["resource given", "source.expires_in"],
        ["resource own-wins", "source.expires_in"],
        ["resource own-wins", "source.bucket"],
    ]
    assert lines[2].startswith("stdin: resource own-wins: source.bucket: got 's3://not-a-bucket'")


def test_aliases_that_expand_past_the_bound_are_refused_whole_in_one_line_at_once() -> None:
    # Each level doubles what the one below stands for: 40 levels in about a kilobyte, each step a problem.
    bomb = "a0: &a0 {put: link, get_params: {file_path: a, bogus: 1}}\n"
    bomb += "".join(f"a{level}: &a{level} {{do: [*a{level - 1}, *a{level - 1}]}}\n" for level in range(1, 40))
    bomb += "resources: [{name: link, type: s3-presigned-url, source: {bucket: bkt}}]\n"
    bomb += "jobs: [{name: j, plan: [*a39]}]\n"
    assert len(bomb) < 1300
    started = time.process_time()  # this process's own time: other work on the machine does not count
    out = io.StringIO()
    code = lint.main(["lint", "-"], io.StringIO(bomb), out)
    assert time.process_time() - started < 1
    assert (code, out.getvalue().splitlines()) == (
        2,
        [
            (
                "stdin: cannot read the pipeline: its aliases expand it by more than 100,000 YAML nodes, more "
                "than any pipeline needs"
            ),
            "s3-presigned-lint: 1 file could not be read",
        ],
    )
    # Shared, as YAML allows, but within the bound: read as if copied, every copy checked.
    shared = "".join(bomb.splitlines(keepends=True)[:4] + bomb.splitlines(keepends=True)[-2:]).replace("a39", "a3")
    assert run_lint(shared) == (1, [f"stdin: job j, step put: link: {BOGUS}"] * 8)


BOGUS = "get_params.bogus: unknown field; accepted: " + ", ".join(field.name for field in fields.PARAMS)


def test_the_command_takes_many_files_says_a_summary_and_exits_by_the_worst(tmp_path: Path) -> None:
    clean = tmp_path / "clean.yml"
    clean.write_text("resources: [{name: r, type: s3-presigned-url, source: {bucket: bkt}}]\n", encoding="utf-8")
    broken = tmp_path / "broken.yml"
    broken.write_text("resources: [{name: r, type: s3-presigned-url, source: {}}]\n", encoding="utf-8")
    missing = tmp_path / "missing.yml"

    def lint_files(*files: Path | str, stdin: str = "") -> tuple[int, list[str]]:
        out = io.StringIO()
        return lint.main(["s3-presigned-lint", *map(str, files)], io.StringIO(stdin), out), out.getvalue().splitlines()

    assert lint_files(clean, "-", stdin=clean.read_text()) == (0, ["s3-presigned-lint: no problems in 2 files"])
    code, lines = lint_files(clean, broken, missing)
    assert code == 2
    assert lines[0].startswith(f"{broken}: resource r: source.bucket: required")
    assert lines[1].startswith(f"{missing}: cannot read the pipeline: [Errno 2] No such file or directory")
    assert lines[2:] == ["s3-presigned-lint: 1 problem in 1 of 2 files; 1 file could not be read"]
    out = io.StringIO()
    assert lint.main(["s3-presigned-lint", "--help"], io.StringIO(), out) == 0
    assert out.getvalue().startswith("usage: s3-presigned-lint [--only-pipelines] [-h] [FILE ...]\n")
    assert "exit status: 0 when every file is clean, 1 when any has a problem, 2 when any cannot be read" in (
        out.getvalue()
    )


def test_only_pipelines_skips_yaml_of_other_tools(tmp_path: Path) -> None:
    others = {
        "yamllint.yml": "extends: default\n",
        "stream.yml": "kind: Service\n---\nkind: Deployment\n",
        "template.yml": "Resources: {Bucket: {Name: !Ref Name}}\n",
        "empty.yml": "",
    }
    for name, text in others.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    pipeline = tmp_path / "pipeline.yml"
    pipeline.write_text(BROKEN, encoding="utf-8")
    out = io.StringIO()
    files = [str(tmp_path / name) for name in [*others, "pipeline.yml"]]
    assert lint.main(["s3-presigned-lint", "--only-pipelines", *files], io.StringIO(), out) == 1
    *lines, summary = out.getvalue().splitlines()
    assert all(line.startswith(f"{pipeline}: ") for line in lines)
    assert summary == "s3-presigned-lint: 8 problems in 1 of 1 file; 4 files skipped: not pipelines"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("then-another.yml", f"{BROKEN}---\nkind: Service\n"),
        ("tagged.yml", f"{BROKEN}display: {{background_image: !Ref Image}}\n"),
    ],
)
def test_only_pipelines_tells_of_a_pipeline_it_cannot_read_rather_than_skip_it(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    assert lint.main(["s3-presigned-lint", "--only-pipelines", str(path)], io.StringIO(), out) == 2
    assert out.getvalue().startswith(f"{path}: cannot read the pipeline: ")
    assert f'in "{path}", line ' in out.getvalue()  # YAML's own place names the file
    assert out.getvalue().endswith("s3-presigned-lint: 1 file could not be read\n")


@pytest.mark.parametrize(
    ("bad", "told"),
    [
        ({"tags": {"team": "a&b"}}, "get_params.tags.team: got 'a&b'"),
        ({"metadata": {"owner": " team-a"}}, "get_params.metadata.owner: got ' team-a'"),
    ],
)
def test_a_problem_in_one_tag_or_metadata_value_leaves_the_rest_told(bad: dict[str, object], told: str) -> None:
    params = {"prefix": "in/", "method": "post", "content_type": "text csv"} | bad
    pipeline = {
        "resources": [{"name": "up", "type": "s3-presigned-url", "source": {"bucket": "bkt"}}],
        "jobs": [{"name": "j", "plan": [{"put": "up", "get_params": params}]}],
    }
    code, lines = run_lint(json.dumps(pipeline))
    assert code == 1
    place = "stdin: job j, step put: up: "
    assert [line.partition(";")[0] for line in lines] == [
        f"{place}{told}",
        f"{place}get_params.max_size: required with method: post",
        f"{place}get_params.content_type: got 'text csv'",
    ]


def test_a_pipeline_larger_than_the_alias_bound_without_aliases_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bound lowered tenfold, and the pipeline with it: the same reading of a pipeline past it, in a tenth the time.
    monkeypatch.setattr(pipeline_file, "MAX_NODES", pipeline_file.MAX_NODES // 10)
    resources = [
        {"name": f"r{number}", "type": "s3-presigned-url", "source": {"bucket": "bkt"}} for number in range(800)
    ]
    plan = [{"put": f"r{number}", "get_params": {"file_path": "a"}} for number in range(800)]
    plan[-1]["get_params"] = {"file_path": "a", "bogus": 1}
    pipeline = {"resources": resources, "jobs": [{"name": "j", "plan": plan}]}
    assert yaml_nodes(pipeline) > pipeline_file.MAX_NODES
    assert run_lint(json.dumps(pipeline)) == (1, [f"stdin: job j, step put: r799: {BOGUS}"])


def yaml_nodes(value: object) -> int:
    """How many YAML nodes a document of this value holds: one for each mapping, list, key and scalar."""
    if isinstance(value, dict):
        return 1 + sum(1 + yaml_nodes(item) for item in value.values())
    if isinstance(value, list):
        return 1 + sum(yaml_nodes(item) for item in value)
    return 1


def test_a_get_params_that_is_no_mapping_is_named_once() -> None:
    pipeline = {
        "resources": [{"name": "up", "type": "s3-presigned-url", "source": {"bucket": "bkt"}}],
        "jobs": [{"name": "j", "plan": [{"put": "up", "get_params": ["file_path", "a"]}]}],
    }
    assert run_lint(json.dumps(pipeline)) == (1, ["stdin: job j, step put: up: get_params: expected a mapping"])
