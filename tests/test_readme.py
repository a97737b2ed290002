"""The README as a reader uses it: short, in the promised order, every option listed, and its first pipeline real.

The first pipeline is taken out of the README and run as the examples are (tests/test_examples.py): checked
against the vendored schema, every ((var)) resolved, each step of this resource type run against the S3 server,
and every link fetched. Links between the README, docs/ and CONTRIBUTING.md must lead somewhere.
"""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from s3_presigned.request import fields
from s3_presigned.version import __version__
from tests.support import ROOT, Runner, S3Server
from tests.test_examples import RESOURCE_TYPE, check_schema, run_pipeline, steps_of

README = ROOT / "README.md"
TEXT = README.read_text()
# Words are whitespace-separated tokens of the whole file, code blocks included: what a reader scrolls past.
MAX_WORDS = 2500
SECTIONS = [
    "Contents",
    "Your first pipeline",
    "Source Configuration",
    "Behavior",
    "Parameters",
    "Examples",
    "Local testing with docker run",
    "Required IAM Permissions",
    "Compatibility",
    "Versions",
    "Licence and contributing",
]
DOCUMENTS = [README, ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def section(title: str) -> str:
    start = TEXT.index(f"\n## {title}\n")
    end = TEXT.find("\n## ", start + 1)
    return TEXT[start : end if end != -1 else None]


def code_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def first_pipeline() -> str:
    (pipeline,) = [block for block in code_blocks(section("Your first pipeline"), "yaml") if "jobs:" in block]
    return pipeline


def bullet_names(text: str) -> list[str]:
    return re.findall(r"^\* `([a-z0-9_]+)`: ", text, re.MULTILINE)


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(document: Path) -> set[str]:
    return {github_anchor(heading) for heading in re.findall(r"^#+ (.*)$", document.read_text(), re.MULTILINE)}


def test_the_readme_is_short_enough_to_scan() -> None:
    assert len(TEXT.split()) <= MAX_WORDS


def test_the_sections_come_in_the_promised_order() -> None:
    assert re.findall(r"^## (.*)$", TEXT, re.MULTILINE) == SECTIONS
    assert re.findall(r"^### (.*)$", section("Behavior"), re.MULTILINE) == [
        "`check`: nothing to check",
        "`in`: sign the URL, and prove it",
        "`out`: emit a placeholder version",
    ]


def test_the_table_of_contents_links_every_section() -> None:
    contents = section("Contents")
    for title in SECTIONS[1:]:
        assert f"[{title}](#{github_anchor(title)})" in contents, title


def test_every_source_field_is_one_bullet() -> None:
    assert bullet_names(section("Source Configuration")) == fields.names(fields.SOURCE)


def test_every_get_param_is_one_bullet() -> None:
    assert bullet_names(section("Parameters")) == fields.names(fields.PARAMS)


def test_the_field_lists_are_written_from_the_declaration() -> None:
    render = runpy.run_path(str(ROOT / "scripts" / "reference.py"))["render"]
    assert render(TEXT) == TEXT, "run make readme"
    stale = TEXT.replace("* `bucket`: *Required.*", "* `bucket`: *Optional.*")
    assert render(stale) == TEXT


def test_each_option_takes_one_to_three_lines() -> None:
    for title in ("Source Configuration", "Parameters"):
        for bullet in re.split(r"^(?=\* `)", section(title), flags=re.MULTILINE)[1:]:
            lines = bullet.split("\n\n")[0].strip().splitlines()
            assert 1 <= len(lines) <= 3, bullet


def test_the_set_up_and_test_commands_are_there() -> None:
    (commands, *_) = code_blocks(TEXT, "sh")
    assert [line.split()[:2] for line in commands.splitlines()] == [["make", "demo"], ["make", "test"]]


def test_the_first_examples_use_one_expires_in_style() -> None:
    first = TEXT[: TEXT.index("\n## Source Configuration\n")]
    styles = set(re.findall(r"expires_in: ([^,}\s]+)", first))
    assert styles == {"24h"}


def test_the_first_pipeline_shows_the_pipeline_check() -> None:
    first = section("Your first pipeline")
    assert "s3-presigned-lint pipeline.yml" in first
    image = f"registry.example.com/s3-presigned-url:{__version__}"
    assert f"docker run -i --rm {image} /opt/resource/lint < pipeline.yml" in first


def test_the_first_pipeline_matches_the_pipeline_schema(tmp_path: Path) -> None:
    pipeline = tmp_path / "pipeline.yml"
    pipeline.write_text(first_pipeline())
    check = check_schema(pipeline)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_first_pipeline_signs_exactly_the_object_the_build_uploaded(
    s3: S3Server, runner: Runner, sts_endpoint: str
) -> None:
    """Run as a build: the bucket holds only what the s3 resource's put uploaded, so no other key can be signed."""
    pipeline = yaml.safe_load(first_pipeline())
    ours = [resource for resource in pipeline["resources"] if resource["type"] == RESOURCE_TYPE]
    assert [resource.get("check_every") for resource in ours] == ["never"]
    (build,) = run_pipeline(pipeline, s3, runner, sts_endpoint)
    assert "app-tarball" in build.artifacts
    assert build.links, "the first pipeline signed no link"
    assert build.links_given_to_steps == 1
    signing = next(step for step in steps_of(pipeline["jobs"][0]["plan"]) if step.get("put") == "share-link")
    assert "((.:app-version))" in signing["get_params"]["file_path"]


def test_the_pipeline_check_passes_the_first_pipeline(tmp_path: Path) -> None:
    pipeline = tmp_path / "pipeline.yml"
    pipeline.write_text(first_pipeline())
    lint = subprocess.run(
        [sys.executable, "-m", "s3_presigned.lint", str(pipeline)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_leads_somewhere(document: Path) -> None:
    for target in LINK.findall(document.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        assert linked.exists(), f"{document.name} links to {target}, which is not there"
        if anchor:
            assert anchor in anchors(linked), f"{document.name} links to {target}, which has no such heading"


def test_every_document_in_docs_is_linked_from_the_readme_or_contributing() -> None:
    linking = TEXT + (ROOT / "CONTRIBUTING.md").read_text()
    for document in sorted((ROOT / "docs").glob("*.md")):
        assert f"(docs/{document.name}" in linking, document.name
