"""What S3 refused, by the code it answered or the object asked for: each cause with the data its line names."""

from __future__ import annotations

from dataclasses import field
from typing import ClassVar

from s3_presigned.core.failures.base import Asked, S3Failure, slash_hint
from s3_presigned.core.text import first_few


class Refused(S3Failure):
    """S3 refused a request with a code that names its cause, whatever was asked."""

    asked: Asked
    key: str | None = field(default=None, kw_only=True)
    code: ClassVar[str]
    cause: ClassVar[str]

    def _words(self) -> str:
        cause = self.cause.format_map(self.asked._asdict())
        return f"{self.asked.where}: {cause} ({self.code}){slash_hint(self.key)}"


class WrongSecret(Refused):
    """The secret key does not match the access key id."""

    code, cause = "SignatureDoesNotMatch", "the secret key of {identity} does not match its access key id"


class UnknownAccessKey(Refused):
    """S3 does not know the access key id."""

    code, cause = "InvalidAccessKeyId", "S3 does not know the access key id of {identity}"


class BadToken(Refused):
    """S3 refused the session token."""

    code, cause = "InvalidToken", "S3 refused the session token of {identity}"


class ExpiredToken(Refused):
    """The session token has expired."""

    code, cause = "ExpiredToken", "the session token of {identity} has expired"


class NoSuchBucket(Refused):
    """The bucket does not exist at the endpoint."""

    code, cause = "NoSuchBucket", "the bucket {bucket} does not exist at {endpoint}"


class ClockTooSkewed(Refused):
    """S3 says this machine's clock is too far from its own."""

    code, cause = (
        "RequestTimeTooSkewed",
        "this machine's clock is too far from S3's; set it right, for example with NTP",
    )


class ServerRefused(S3Failure):
    """S3 refused a request with a code that names no cause the step knows: it is quoted."""

    where: str
    answered: str
    code: str | None
    message: str = ""
    key: str | None = field(default=None, kw_only=True)

    def _words(self) -> str:
        said = "no details" if self.code is None else f"{self.code}: {self.message}" if self.message else self.code
        return f"{self.where}: S3 answered {self.answered}, {said}{slash_hint(self.key)}"


class ObjectFailure(S3Failure):
    """A download link does not work because of its object; its line ends with a hint for a key that starts with /."""

    bucket: str
    key: str

    def _words(self) -> str:
        return self.template.format(**vars(self), subject=self.subject) + slash_hint(self.key)

    @property
    def subject(self) -> str:
        """The object's address, as lines name it."""
        return f"s3://{self.bucket}/{self.key}"


class MissingObject(ObjectFailure):
    """The object does not exist."""

    def _words(self) -> str:  # the hint stands by the key, not at the end
        folder = self.key.rpartition("/")[0]
        return (
            f"{self.subject} does not exist; check the key{slash_hint(self.key)} and source.key_prefix, for "
            f"example with: aws s3 ls s3://{self.bucket}/{folder + '/' if folder else ''}"
        )


class NoSuchVersion(ObjectFailure):
    """The version asked for does not exist."""

    version_id: str | None
    template = "version {version_id} of {subject} does not exist"


class Archived(ObjectFailure):
    """The object is archived and not restored; ``storage_class`` is ``None`` when S3 did not name it."""

    storage_class: str | None

    def _words(self) -> str:
        archive = self.storage_class or "an archive storage class"
        cause = f"{self.subject} is archived in {archive} and not restored; restore it before sharing it"
        return cause + slash_hint(self.key)


class KmsDenied(ObjectFailure):
    """The object is encrypted with a KMS key the signer may not use; ``message`` is S3's, shown by its shape."""

    identity: str
    code: str
    message: str
    template = (
        "{subject} is encrypted with a KMS key that {identity} may not use; "
        "grant kms:Decrypt on the key (S3 answered {code}: {message})"
    )


class RequesterPays(ObjectFailure):
    """The bucket is requester-pays: a plain link cannot say who pays."""

    template = (
        "{subject} is in a requester-pays bucket: S3 refuses a link that does not say who pays, and a plain link cannot"
    )


class AccessDenied(ObjectFailure):
    """The signer may not read the object."""

    identity: str
    template = (
        "{subject}: access denied to {identity}; grant s3:GetObject on it, and "
        "s3:ListBucket on the bucket so that a missing object is reported as missing (AccessDenied)"
    )


class ListingDenied(S3Failure):
    """The signer may not list the bucket."""

    asked: Asked
    template = "{asked.where}: access denied to {asked.identity}: grant s3:ListBucket on {asked.bucket}"


class MissingKeys(S3Failure):
    """Keys of ``file_paths`` that a listing did not find."""

    bucket: str
    keys: list[str]

    def _words(self) -> str:
        keys = first_few(self.keys)
        return f"params.file_paths: not in s3://{self.bucket}: {keys}; check the keys and source.key_prefix"
