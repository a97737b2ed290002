"""pipeline-examples/: each one well-formed, and each use of this resource type run as Concourse would."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import ACCESS_KEY, ROOT, SECRET_KEY, Runner, S3Server, StepResult, fetch

EXAMPLES = sorted((ROOT / "pipeline-examples").glob("*.yml"))
# Vendored, with its licence and the changes made to it: tests/schemas/README.md.
SCHEMA = ROOT / "tests/schemas/concourse-pipeline.schema.json"
RESOURCE_TYPE = "s3-presigned-url"
VAR = re.compile(r"\(\(([\w.-]+)\)\)")
NESTED_STEPS = ("do", "in_parallel", "aggregate")
HOOKS = ("on_success", "on_failure", "on_error", "on_abort", "ensure", "try")


def test_there_are_examples_for_every_job() -> None:
    assert len(EXAMPLES) >= 7


def test_examples_pass_yamllint() -> None:
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "yamllint"), "--strict", *map(str, EXAMPLES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout


def test_examples_match_the_pipeline_schema() -> None:
    check = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"), "--schemafile", str(SCHEMA), *map(str, EXAMPLES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def steps_of(plan: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every step of a plan, in order, including those nested in do, in_parallel, try and hooks."""
    for step in plan:
        yield step
        for key in NESTED_STEPS:
            nested = step.get(key)
            if isinstance(nested, dict):
                nested = nested.get("steps", [])
            if isinstance(nested, list):
                yield from steps_of(nested)
        for key in HOOKS:
            if isinstance(step.get(key), dict):
                yield from steps_of([step[key]])


def fill_vars(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: fill_vars(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [fill_vars(item, variables) for item in value]
    if isinstance(value, str):
        unknown = [name for name in VAR.findall(value) if name not in variables]
        assert not unknown, f"no test value for (({unknown[0]}))"
        return VAR.sub(lambda match: variables[match.group(1)], value)
    return value


def seed_objects(s3: S3Server, source: dict[str, Any], params: dict[str, Any]) -> None:
    """Create the bucket and the objects a step names, so that it finds them as it would for real."""
    bucket, key_prefix = source["bucket"], source.get("key_prefix", "")
    s3.ensure_bucket(bucket)
    keys: list[str] = []
    if params.get("method") != "put":
        keys += [params["file_path"]] if "file_path" in params else params.get("file_paths", [])
    if "prefix" in params:
        keys += [params["prefix"] + name for name in ("app-linux-amd64.tgz", "app-darwin-arm64.tgz", "checksums.txt")]
    if "regexp" in params:
        keys += [
            re.sub(r"\(.*?\)", version, params["regexp"], count=1).replace("\\", "") for version in ("1.9.2", "1.10.0")
        ]
    for key in keys:
        s3.put(key_prefix + key, bucket=bucket)


def loaded_urls(result: StepResult, relative: str, load: dict[str, Any]) -> list[str]:
    content = result.file(relative)
    if load.get("format") == "json" or (relative.endswith(".json") and load.get("format") != "raw"):
        parsed = json.loads(content)
        return list(parsed.values()) if isinstance(parsed, dict) else [item["url"] for item in parsed]
    return [content] if content.startswith("http") else []


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs_against_the_s3_server(example: Path, s3: S3Server, runner: Runner, sts_endpoint: str) -> None:
    pipeline = yaml.safe_load(example.read_text())
    assert any(kind["name"] == RESOURCE_TYPE for kind in pipeline["resource_types"])
    ours = {resource["name"]: resource for resource in pipeline["resources"] if resource["type"] == RESOURCE_TYPE}
    assert ours, "the example uses no resource of this type"
    raw_vars = yaml.safe_load((ROOT / "tests/pipeline-vars.yml").read_text())
    variables = {
        name: value.format(endpoint=s3.endpoint, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
        for name, value in raw_vars.items()
    }
    exercised = 0
    for job in pipeline["jobs"]:
        produced: dict[str, tuple[StepResult, bool]] = {}
        consumed: set[str] = set()
        for step in steps_of(job["plan"]):
            name = step.get("put") or step.get("get")
            resource = ours.get(step.get("resource", name))
            if resource is not None:
                produced[name] = run_step(
                    s3, runner, step, fill_vars(resource["source"], variables), variables, sts_endpoint
                )
                exercised += 1
            if "load_var" in step:
                step_name, _, relative = step["file"].partition("/")
                if step_name in produced:
                    result, signed_by_role = produced[step_name]
                    check_urls(loaded_urls(result, relative, step), result, signed_by_role=signed_by_role)
                    consumed.add(step_name)
        # A step a task reads as an input, rather than through load_var, must hold working URLs too.
        for step_name, (result, signed_by_role) in produced.items():
            if step_name not in consumed:
                files = [name for name in ("url", "urls.json") if (result.directory / name).exists()]
                assert files, f"{step_name} wrote no URL file"
                check_urls(loaded_urls(result, files[0], {}), result, signed_by_role=signed_by_role)
    assert exercised > 0


def run_step(
    s3: S3Server, runner: Runner, step: dict[str, Any], source: dict[str, Any], variables: dict[str, str], sts: str
) -> tuple[StepResult, bool]:
    """Run a put's out and in, or a get's in, as Concourse would; say whether a role signed the URL."""
    # Examples written for AWS are pointed at the loopback server; STS goes to moto.
    source.setdefault("endpoint", s3.endpoint)
    env = {"AWS_ENDPOINT_URL_STS": sts}
    get_params = fill_vars(step.get("get_params" if "put" in step else "params", {}), variables)
    seed_objects(s3, source, get_params)
    signed_by_role = "role_arn" in source
    if signed_by_role:
        # moto's role credentials are unknown to the S3 server, which would refuse the HEAD.
        get_params["verify"] = False
    version = {"execution_date": "1767225600"}
    if "put" in step:
        put = runner.run("out", {"source": source, "params": fill_vars(step.get("params", {}), variables)}, env=env)
        version = put.response["version"]
    result = runner.run("in", {"source": source, "version": version, "params": get_params}, env=env)
    assert result.returncode == 0, result.stderr
    return result, signed_by_role


def check_urls(urls: list[str], result: StepResult, *, signed_by_role: bool) -> None:
    for url in urls:
        assert url.startswith("http")
        if signed_by_role:
            # moto's role credentials are unknown to the S3 server, so only the URL itself can be checked.
            assert "X-Amz-Security-Token=" in url
            continue
        method = (result.directory / "method").read_text()
        if method == "PUT":
            headers = (
                json.loads((result.directory / "headers.json").read_text())
                if (result.directory / "headers.json").exists()
                else {}
            )
            assert fetch(url, method="PUT", data=b"{}", headers=headers)[0] == 200
        else:
            assert fetch(url)[0] == 200, url


def test_renaming_a_parameter_in_an_example_fails(s3: S3Server, runner: Runner) -> None:
    example = (ROOT / "pipeline-examples" / "external-download.yml").read_text()
    broken = yaml.safe_load(example.replace("file_name:", "filename:", 1))
    params = broken["jobs"][0]["plan"][0]["get_params"]
    source = fill_vars(
        broken["resources"][0]["source"],
        {"deliveries.access_key_id": ACCESS_KEY, "deliveries.secret_access_key": SECRET_KEY},
    ) | {"endpoint": s3.endpoint}
    result = runner.run("in", {"source": source, "version": {"execution_date": "1"}, "params": params})
    assert result.returncode != 0
    assert result.stderr.startswith("error: params.filename: unknown field; did you mean 'file_name'?")
