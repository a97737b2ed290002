"""Check that a commit releases a new version, and write what the image's build and push need.

The publish job of ci/pipeline.yml runs it on each commit that changes s3_presigned/version.py, in the git
resource's checkout, which holds the whole history::

    python3 source/ci/tasks/version.py source version

It fails with one line when the version is not X.Y.Z, is not above the version of the commit before, or has no
section in CHANGELOG.md. Otherwise it writes into the output directory:

* ``version``: X.Y.Z, which the registry-image put pushes, moving the aliases X.Y, X and latest to it;
* ``build-args``: VERSION, REVISION and SOURCE, the image's labels, for oci-build-task's BUILD_ARGS_FILE.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

VERSION_FILE = "s3_presigned/version.py"
CHANGELOG = "CHANGELOG.md"
RELEASE = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


class ReleaseError(Exception):
    """Why this commit cannot be released; the message is the one line the task prints."""


def declared_version(text: str) -> str:
    """Read the string that the version file's text assigns to ``__version__``."""
    for node in ast.parse(text).body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(target, "id", None) for target in node.targets] == ["__version__"]
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ReleaseError(f"{VERSION_FILE} assigns no string to __version__")


def parsed(version: str) -> tuple[int, ...]:
    """Split an X.Y.Z version into its numbers, to compare them."""
    match = RELEASE.fullmatch(version)
    if match is None:
        raise ReleaseError(f"{VERSION_FILE}: __version__ is {version!r}; a release is X.Y.Z, such as 1.4.0")
    return tuple(int(part) for part in match.groups())


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run git in the checkout; the caller reads the outcome."""
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)


def previous_version(repo: Path) -> str | None:
    """Read the version at the commit before this one; None where there was none, for the first release."""
    if git(repo, "rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        raise ReleaseError("the checkout is shallow, so the version before this commit is unknown; get it whole")
    before = git(repo, "show", f"HEAD^:{VERSION_FILE}")
    return declared_version(before.stdout) if before.returncode == 0 else None


def release(repo: Path, output: Path, source_url: str) -> str:
    """Check the commit at ``repo``'s HEAD and write ``version`` and ``build-args`` into ``output``."""
    version = declared_version((repo / VERSION_FILE).read_text(encoding="utf-8"))
    current = parsed(version)
    previous = previous_version(repo)
    if previous is not None and RELEASE.fullmatch(previous) and parsed(previous) >= current:
        raise ReleaseError(
            f"{VERSION_FILE} changed, but the version did not go up: {previous} before, {version} now; "
            "raise it to release"
        )
    changelog = (repo / CHANGELOG).read_text(encoding="utf-8")
    if not re.search(rf"^## {re.escape(version)}(?: |$)", changelog, re.MULTILINE):
        raise ReleaseError(f"{CHANGELOG} has no section '## {version}'; add one that says what the release changes")
    revision = git(repo, "rev-parse", "HEAD").stdout.strip()
    output.mkdir(parents=True, exist_ok=True)
    (output / "version").write_text(version, encoding="utf-8")
    (output / "build-args").write_text(
        f"VERSION={version}\nREVISION={revision}\nSOURCE={source_url}\n", encoding="utf-8"
    )
    print(f"releasing {version}, up from {previous or 'no earlier release'}, built from {revision}")
    return version


def main(argv: list[str]) -> int:
    """Release the checkout in argv[1] into argv[2], or say in one line why not."""
    if len(argv) != 3:  # noqa: PLR2004  # the program and its two directories
        print(f"usage: {argv[0]} SOURCE_DIR OUTPUT_DIR", file=sys.stderr)
        return 2
    source_url = os.environ.get("SOURCE_URL", "")
    if not source_url:
        print("error: SOURCE_URL is not set; set it to the repository's URL, the image's source label", file=sys.stderr)
        return 1
    try:
        release(Path(argv[1]), Path(argv[2]), source_url)
    except ReleaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
