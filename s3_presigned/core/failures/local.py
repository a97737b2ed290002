"""What the step selected, signed or wrote cannot make working links: nothing to sign, or nowhere to write."""

from __future__ import annotations

from s3_presigned.core.failures.base import Cause, S3Failure

DOT_SEGMENT_PROBLEM = (
    "has a '.' or '..' segment, which browsers and curl remove from a link's path before they fetch it, "
    "so no link to it would work"
)


class NoObjects(S3Failure):
    """Nothing is listed under the prefix, and ``allow_empty`` is off."""

    bucket: str
    prefix: str
    template = "params.prefix: no objects under s3://{bucket}/{prefix} (set allow_empty: true to accept none)"


class NoMatch(S3Failure):
    """No listed key, after ``key_prefix``, fully matches the regexp ``pattern``."""

    key_prefix: str
    pattern: str

    def _words(self) -> str:
        return f"no key under {self.key_prefix or 'the bucket'} matches the regexp {self.pattern!r}"


class DotSegmentKey(S3Failure):
    """A listed key has a dot segment, which no link can reach."""

    bucket: str
    key: str
    template = f"s3://{{bucket}}/{{key}}: the key {DOT_SEGMENT_PROBLEM}"


class SigningFailure(Cause):
    """A link or a form cannot be signed as asked."""


class SigningFailed(SigningFailure):
    """botocore could not sign in the bucket; ``problem`` is its text."""

    bucket: str
    problem: str
    template = "signing in s3://{bucket}: {problem}"


class UnlistedHeaders(SigningFailure):
    """An upload link signs other headers than ``headers.json`` names, and the host; both sorted, lower case."""

    signed: list[str]
    listed: list[str]

    def _words(self) -> str:
        return f"signing: the link signs the headers {', '.join(self.signed)}, not {', '.join(self.listed)}"


class OneKeyPattern(SigningFailure):
    """An upload form signs one key pattern: no other key has a link."""

    key: str
    template = "an upload form signs one key pattern, not {key}"


class NotOverNetwork(SigningFailure):
    """A proof fetches from a store over the network, and the bucket's is not one."""

    bucket: str
    template = "verify: s3://{bucket} is not a store over the network, which a proof fetches from"


class OutputFailure(Cause):
    """What the step leaves cannot be written; ``problem`` is the system's words, such as ``Permission denied``."""

    problem: str


class DestinationUnwritable(OutputFailure):
    """The step's destination directory cannot be written."""

    destination: str
    template = "destination: cannot write {destination}: {problem}"


class FileUnreadable(OutputFailure):
    """A file the step's files are made of, such as a page's template, cannot be read."""

    path: str
    template = "cannot read {path}, which the resource needs to write its files: {problem}"


class StdoutUnwritable(OutputFailure):
    """The response cannot be written to stdout, so Concourse never has it."""

    template = "stdout: cannot write the response ({problem})"
