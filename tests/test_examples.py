"""pipeline-examples/: each one well-formed, and each job run as one Concourse build would run it.

Steps run in plan order. Every step of this resource type runs against the tests' S3 server: in this process,
and for one example through the real scripts, as Concourse runs them.
Just before each step, its ((vars)) are resolved as Concourse resolves them (tests/concourse_vars.py): local
vars from the files earlier steps wrote, through load_var, and the rest from the credential manager, which
tests/pipeline-vars.yml stands for. So a misspelt field or an unquoted key fails here as it would fail the
build. Every link of this resource that a step writes, loads or is given is fetched, and must work.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.concourse_vars import BuildVars, VarError, load_var, redacted_strings
from tests.support import (
    ACCESS_KEY,
    ROOT,
    SECRET_KEY,
    URL_FILES,
    URL_PATTERN,
    VERSION,
    Runner,
    S3Server,
    StepResult,
    fetch,
)

EXAMPLES_DIR = ROOT / "pipeline-examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.yml"))
# The example whose steps run the scripts; the others' run in-process, as the scripts' wiring is the same for all.
THROUGH_THE_SCRIPTS = "share-artifact"
# Vendored, with its licence and the changes made to it: tests/schemas/README.md.
SCHEMA = ROOT / "tests/schemas/concourse-pipeline.schema.json"
PIPELINE_VARS = ROOT / "tests/pipeline-vars.yml"
RESOURCE_TYPE = "s3-presigned-url"
NESTED_STEPS = ("do", "in_parallel", "aggregate")
HOOKS = ("on_success", "on_failure", "on_error", "on_abort", "ensure", "try")
# What a bucket holds before the build, for a step that lists it: the files of a release folder, and two
# versions of a regexp's match, of which the newer sorts first only as a version.
FOLDER_FILES = ("app-linux-amd64.tgz", "app-darwin-arm64.tgz", "checksums.txt")
SEEDED_VERSIONS = ("1.9.2", "1.10.0")
# The version the stand-in for the s3 resource gives this build's upload, in the form the build task uses.
UPLOADED_VERSION = "20260102.093000"


class StepError(Exception):
    """A script of this resource type exited non-zero; the message is its stderr."""


@dataclass(frozen=True)
class Link:
    """What proving one signed URL takes: its method, the headers an upload sends, and whether a role signed it."""

    method: str
    headers: dict[str, str]
    signed_by_role: bool

    def prove(self, url: str) -> None:
        if self.signed_by_role:
            # moto's role credentials are unknown to the S3 server, so only the URL itself can be checked.
            assert "X-Amz-Security-Token=" in url
            return
        if self.method == "POST":
            # The loopback server takes no POST forms; the store tier uploads through forms the resource signs.
            assert url.count("/") == 3, f"{url} is not a bucket's address"
            return
        if self.method == "PUT":
            status = fetch(url, method="PUT", data=b"{}", headers=self.headers)[0]
        else:
            status = fetch(url)[0]
        assert status == 200, f"{self.method} {url.partition('?')[0]} answered {status}"


@dataclass
class Build:
    """One build of a job: its vars, the artifacts its steps left, and the links this resource type signed."""

    job: str
    s3: S3Server
    runner: Runner
    sts_endpoint: str
    resources: dict[str, dict[str, Any]]
    vars: BuildVars
    artifacts: dict[str, Path] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    # Buckets an earlier step of this build uploaded to: what a later step signs there must be found, not seeded.
    uploaded_to: set[str] = field(default_factory=set)
    links_given_to_steps: int = 0
    # The steps of this resource type that wrote links, by name, so that a task taking one as an input counts.
    signed_by: set[str] = field(default_factory=set)

    def run(self, plan: list[dict[str, Any]]) -> None:
        for step in steps_of(plan):
            # Evaluated just before the step runs, so it sees the vars that the steps before it loaded.
            config = self.vars.interpolate(
                {key: value for key, value in step.items() if key not in NESTED_STEPS + HOOKS}
            )
            self.links_given_to_steps += self.prove_links_in(config)
            # A task may take a step's directory as an input, and with it the links in its files.
            inputs = config.get("config", {}).get("inputs", []) if "task" in config else []
            self.links_given_to_steps += sum(
                1 for given in inputs if given.get("name") in self.artifacts and given["name"] in self.signed_by
            )
            if "load_var" in config:
                self.load(config)
            elif "put" in config or "get" in config:
                name = config.get("put") or config["get"]
                resource = self.resources[config.get("resource", name)]
                if resource["type"] == RESOURCE_TYPE:
                    self.run_ours(name, config, self.vars.interpolate(resource["source"]))
                elif resource["type"] == "s3" and "put" in config:
                    self.put_with_the_s3_resource(name, self.vars.interpolate(resource["source"]))

    def run_ours(self, name: str, config: dict[str, Any], source: dict[str, Any]) -> None:
        """Run a put's out and then its in, or a get's in, as Concourse would; prove every link the step wrote."""
        # Examples written for AWS are pointed at the loopback server; STS goes to moto.
        source.setdefault("endpoint", self.s3.endpoint)
        env = {"AWS_ENDPOINT_URL_STS": self.sts_endpoint}
        get_params = dict(config.get("get_params" if "put" in config else "params", {}))
        if source["bucket"] not in self.uploaded_to:
            seed_objects(self.s3, source, get_params)
        if get_params.get("method") == "post":
            # rclone takes no upload forms, which the step's proof finds; the store tier proves forms on stores that do.
            get_params["verify"] = False
        signed_by_role = "role_arn" in source
        if signed_by_role:
            # moto's role credentials are unknown to the S3 server, which would refuse the step's proof of its link.
            get_params["verify"] = False
        version = VERSION
        if "put" in config:
            put = succeeded(self.runner.run("out", {"source": source, "params": config.get("params", {})}, env=env))
            version = put.response["version"]
        result = succeeded(self.runner.run("in", {"source": source, "version": version, "params": get_params}, env=env))
        self.artifacts[name] = result.directory
        self.signed_by.add(name)
        headers_file = result.directory / "headers.json"
        link = Link(
            (result.directory / "method").read_text(),
            json.loads(headers_file.read_text()) if headers_file.exists() else {},
            signed_by_role,
        )
        # The same link may be in several files (url, urls.json and manifest.json); it is proven once.
        written = list(
            dict.fromkeys(
                url
                for file_name in (get_params.get("url_file", "url"), *URL_FILES)
                if (result.directory / file_name).is_file()
                for url in URL_PATTERN.findall(html.unescape(result.file(file_name)))
            )
        )
        assert written, f"{name} wrote no link"
        self.links |= dict.fromkeys(written, link)
        # A task may read the files as an input rather than through load_var, so every link in them must work.
        self.prove_links_in(written)

    def put_with_the_s3_resource(self, name: str, source: dict[str, Any]) -> None:
        """Stand in for the s3 resource's put and the get after it, which are not this project's to run.

        The real put uploads the build's file into the regexp's folder, and its get writes ``version``, the
        regexp's capture. Here the upload is an object seeded under a key that the regexp matches, and
        ``version`` holds its capture: all that an example reads from that step.
        """
        key = key_matching(source["regexp"], UPLOADED_VERSION)
        self.s3.ensure_bucket(source["bucket"])
        self.s3.put(key, bucket=source["bucket"])
        directory = self.runner.tmp_path / f"s3-resource-{self.job}-{name}"
        directory.mkdir()
        (directory / "version").write_text(UPLOADED_VERSION)
        self.artifacts[name] = directory
        self.uploaded_to.add(source["bucket"])

    def load(self, config: dict[str, Any]) -> None:
        """Run a load_var step: every link in the value must work, and must be redacted from the build log."""
        value = load_var(self.artifacts, config["file"], config.get("format"))
        # The log hides a loaded var only where Concourse's tracker finds it: never if revealed, never in a list.
        hidden = set() if config.get("reveal") else redacted_strings(value)
        shown = [text for text in strings_in(value) if self.our_urls(text) and text not in hidden]
        assert not shown, f"load_var {config['load_var']} would print {len(shown)} link(s) in the build log"
        self.prove_links_in(value)
        self.vars.local[config["load_var"]] = value

    def our_urls(self, text: str) -> list[str]:
        return [url for url in URL_PATTERN.findall(text) if url.startswith(f"{self.s3.endpoint}/")]

    def prove_links_in(self, value: Any) -> int:
        """Fetch every link of this resource within a value, as its signer meant; how many there were."""
        urls = [url for text in strings_in(value) for url in self.our_urls(text)]
        for url in urls:
            assert url in self.links, f"{url.partition('?')[0]}: no step of this build signed it"
            self.links[url].prove(url)
        return len(urls)


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


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def succeeded(result: StepResult) -> StepResult:
    if result.returncode != 0:
        raise StepError(result.stderr)
    return result


def key_matching(regexp: str, version: str) -> str:
    """A key that ``regexp`` fully matches, with ``version`` as its first group."""
    key = re.sub(r"\(.*?\)", lambda _: version, regexp, count=1).replace("\\", "")
    assert re.fullmatch(regexp, key), f"{key} does not match {regexp}"
    return key


def seed_objects(s3: S3Server, source: dict[str, Any], params: dict[str, Any]) -> None:
    """Put in the bucket what a step expects to be there before the build, as it would be for real."""
    bucket, key_prefix = source["bucket"], source.get("key_prefix", "")
    s3.ensure_bucket(bucket)
    keys: list[str] = []
    if params.get("method", "get") == "get":
        keys += [params["file_path"]] if "file_path" in params else params.get("file_paths", [])
    if "prefix" in params and params.get("method", "get") == "get":
        keys += [params["prefix"] + name for name in FOLDER_FILES]
    if "regexp" in params:
        keys += [key_matching(params["regexp"], version) for version in SEEDED_VERSIONS]
    for key in keys:
        s3.put(key_prefix + key, bucket=bucket)


def credential_manager(s3: S3Server) -> dict[str, Any]:
    """tests/pipeline-vars.yml, with the S3 server's endpoint and keys in place of its placeholders."""

    def filled(value: Any) -> Any:
        if isinstance(value, dict):
            return {name: filled(item) for name, item in value.items()}
        return value.format(endpoint=s3.endpoint, access_key=ACCESS_KEY, secret_key=SECRET_KEY)

    return filled(yaml.safe_load(PIPELINE_VARS.read_text()))


# What Concourse's idtoken var source gives a build: a signed OIDC token, which STS trades for a role session.
IDTOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImNvbmNvdXJzZSJ9.eyJzdWIiOiJtYWluL3NoYXJlLXJlbGVhc2UifQ.c2lnbmF0dXJl"


def var_sources(pipeline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The vars each of the pipeline's var sources gives; only idtoken's, the one the examples use."""
    given = {"idtoken": {"token": IDTOKEN}}
    return {source["name"]: given[source["type"]] for source in pipeline.get("var_sources", [])}


def run_pipeline(pipeline: dict[str, Any], s3: S3Server, runner: Runner, sts_endpoint: str) -> list[Build]:
    """Run each job of a pipeline once, in order, as one build each."""
    resources = {resource["name"]: resource for resource in pipeline["resources"]}
    credentials = credential_manager(s3)
    builds = []
    for job in pipeline["jobs"]:
        build_vars = BuildVars(credentials, var_sources=var_sources(pipeline))
        build = Build(job["name"], s3, runner, sts_endpoint, resources, build_vars)
        build.run(job["plan"])
        builds.append(build)
    return builds


def edited_example(name: str, old: str, new: str) -> str:
    """An example's text with the first ``old`` replaced by ``new``; ``old`` must be there."""
    text = (EXAMPLES_DIR / name).read_text()
    assert old in text, f"{name} no longer holds {old!r}"
    return text.replace(old, new, 1)


def check_schema(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"), "--schemafile", str(SCHEMA), *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def steps_for(example: Path, request: pytest.FixtureRequest) -> Runner:
    """The runner an example's steps run through: the scripts' for :data:`THROUGH_THE_SCRIPTS`, in-process else."""
    runner: Runner = request.getfixturevalue("runner" if example.stem == THROUGH_THE_SCRIPTS else "in_process")
    return runner


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
    check = check_schema(*EXAMPLES)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_pipeline_schema_catches_a_misspelt_step_key(tmp_path: Path) -> None:
    misspelt = tmp_path / "share-artifact.yml"
    misspelt.write_text(edited_example("share-artifact.yml", "get_params:", "get_param:"))
    assert check_schema(misspelt).returncode != 0


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_resources_of_this_type_skip_the_periodic_check(
    example: Path, s3: S3Server, request: pytest.FixtureRequest
) -> None:
    """check_every: never stops Concourse's periodic check only; a manual check still runs, and finds nothing."""
    runner = steps_for(example, request)
    pipeline = yaml.safe_load(example.read_text())
    ours = [resource for resource in pipeline["resources"] if resource["type"] == RESOURCE_TYPE]
    assert ours, "the example uses no resource of this type"
    for resource in ours:
        assert resource.get("check_every") == "never", resource["name"]
        source = BuildVars(credential_manager(s3), var_sources=var_sources(pipeline)).interpolate(resource["source"])
        assert runner.run("check", {"source": source}).response == []


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs_against_the_s3_server(
    example: Path, s3: S3Server, request: pytest.FixtureRequest, sts_endpoint: str
) -> None:
    pipeline = yaml.safe_load(example.read_text())
    assert any(kind["name"] == RESOURCE_TYPE for kind in pipeline["resource_types"])
    builds = run_pipeline(pipeline, s3, steps_for(example, request), sts_endpoint)
    assert any(build.links for build in builds), "no step of this resource type ran"
    for build in builds:
        # What the resource is for: a link handed to a task through a var, never through a version.
        assert build.links_given_to_steps > 0 or not build.links, f"{build.job} hands no link to a step"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            '"artifacts/v2.4.0/app-linux-amd64.tgz"',
            '"artifacts/v2.4.0/app-linux-arm64.tgz"',
            "missing field 'artifacts/v2.4.0/app-linux-arm64.tgz' in var: "
            'links."artifacts/v2.4.0/app-linux-arm64.tgz"',
            id="a-key-not-in-urls.json",
        ),
        pytest.param(
            'links."artifacts/v2.4.0/app-linux-amd64.tgz"',
            "links.artifacts/v2.4.0/app-linux-amd64.tgz",
            """missing field 'artifacts/v2' in var: links."artifacts/v2".4."0/app-linux-amd64".tgz""",
            id="a-key-unquoted-so-its-dots-split-it",
        ),
        pytest.param(
            "((.:links.",
            "((.:link.",
            """undefined vars: .:link."artifacts/v2.4.0/app-linux-amd64.tgz\"""",
            id="a-var-never-loaded",
        ),
    ],
)
def test_a_wrong_var_in_an_example_fails_as_in_concourse(
    old: str, new: str, message: str, s3: S3Server, in_process: Runner, sts_endpoint: str
) -> None:
    pipeline = yaml.safe_load(edited_example("release-manifest.yml", old, new))
    with pytest.raises(VarError) as refused:
        run_pipeline(pipeline, s3, in_process, sts_endpoint)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("example", "old", "new"),
    [
        pytest.param(
            "share-artifact.yml",
            "file: share-link/url\n",
            "file: share-link/url\n        reveal: true\n",
            id="a-revealed-link",
        ),
        pytest.param(
            "release-manifest.yml",
            "file: release-links/urls.json",
            "file: release-links/manifest.json",
            id="links-in-a-list",
        ),
    ],
)
def test_loading_a_link_that_the_build_log_would_show_fails(
    example: str, old: str, new: str, s3: S3Server, in_process: Runner, sts_endpoint: str
) -> None:
    pipeline = yaml.safe_load(edited_example(example, old, new))
    with pytest.raises(AssertionError, match=r"would print \d+ link\(s\) in the build log"):
        run_pipeline(pipeline, s3, in_process, sts_endpoint)


def test_signing_another_key_than_this_builds_upload_fails(s3: S3Server, in_process: Runner, sts_endpoint: str) -> None:
    file_path = "file_path: builds/app-((.:app-version)).tgz"
    pipeline = yaml.safe_load(edited_example("share-artifact.yml", file_path, file_path.replace(".tgz", ".tar.gz")))
    with pytest.raises(StepError) as failed:
        run_pipeline(pipeline, s3, in_process, sts_endpoint)
    assert f"builds/app-{UPLOADED_VERSION}.tar.gz" in str(failed.value)


def test_renaming_a_parameter_in_an_example_fails(s3: S3Server, in_process: Runner, sts_endpoint: str) -> None:
    pipeline = yaml.safe_load(edited_example("external-download.yml", "file_name:", "filename:"))
    with pytest.raises(StepError) as failed:
        run_pipeline(pipeline, s3, in_process, sts_endpoint)
    assert str(failed.value).startswith("error: params.filename: unknown field; did you mean 'file_name'?")
