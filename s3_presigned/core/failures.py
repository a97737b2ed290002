"""Every cause that ends a step, as a type that carries its data and words its one line here.

A cause is decided where what it names is known (:mod:`s3_presigned.s3.causes`, :mod:`s3_presigned.proof`); a
server's words arrive already shown by their shape. Lines that do not stop a step are in ``core.notices``.
"""

from __future__ import annotations

from dataclasses import field
from typing import ClassVar, NamedTuple
from urllib.parse import urlsplit

from s3_presigned.core.notices import CLOCK_SKEW_WARNING_SECONDS, direction
from s3_presigned.core.record import Record
from s3_presigned.core.text import first_few


class ResourceError(Exception):
    """A failure the user can act on, reported as one line without a traceback; worded where raised but a cause's."""

    template: ClassVar[str] = ""

    def __str__(self) -> str:
        """Word the one line."""
        return self._words()

    def _words(self) -> str:
        return self.template.format(**vars(self)) if self.template else super().__str__()


class ConfigError(ResourceError):
    """A field of the request that is missing, malformed or out of range."""

    def __init__(self, field: str, problem: str) -> None:
        """Name the field and say what is wrong with it.

        :param field: The dotted name of the field, such as ``params.expires_in``.
        :param problem: What is wrong and what is accepted.
        """
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class NoRegion(ConfigError):
    """No region is known, and the step may not ask S3 for it."""

    def __init__(self) -> None:
        """Name ``source.region`` and where a region may come from."""
        super().__init__(
            "source.region",
            "no region is set here, in AWS_REGION or AWS_DEFAULT_REGION, or in the AWS config; please specify "
            "region, or leave verify on so that the step can ask S3 where the bucket is",
        )


class Cause(Record, ResourceError):
    """A cause the step names: a record of its fields, worded here from them."""


class HoldsSecret(Cause):
    """Data that holds one of the step's secrets: it is neither written as it is nor rewritten."""

    what: str
    remedy: str = "rename what the store holds, or rotate the secret"
    template = "{what} holds one of the step's secrets, so it is not written; {remedy}"


class UnreadableAwsConfig(Cause):
    """The AWS config or credentials files cannot be read."""

    problem: str
    template = "AWS config: {problem}; check AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE"


class S3Failure(Cause):
    """What the store answered, or how it behaved, makes a link or a form unusable."""


class Asked(NamedTuple):
    """Who asked what of which bucket: what every line about a failed request may name."""

    where: str
    bucket: str
    identity: str
    endpoint: str


def slash_hint(key: str | None) -> str:
    """Say to drop a key's leading ``/``: S3 allows it, but it is most often a path written out of habit."""
    return f" (it starts with '/': drop it if the object is {key.lstrip('/')})" if key and key[0] == "/" else ""


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


class PageTooLarge(S3Failure):
    """A listing's page is larger than S3 ever sends."""

    where: str
    limit: int

    def _words(self) -> str:
        return f"{self.where}: a page is larger than {self.limit >> 20} MiB: is a proxy in the way?"


class UncheckedSignatures(S3Failure):
    """An endpoint accepted a request with an altered signature and did not answer as S3 does."""

    where: str
    answered: str
    content_type: str | None
    request: str
    subject: str
    field: str = "source.endpoint"

    def _words(self) -> str:
        said = self.content_type or "no content type of S3's shape"
        return (
            f"{self.where}: the {self.field.removeprefix('source.')} answered {self.answered} with {said} to the "
            f"{self.request} with its signature altered, and does not list as S3 does: it is not S3 serving the "
            f"{self.subject}. Is {self.field} a web console or a proxy?"
        )


class FormsNotTaken(S3Failure):
    """The store takes no upload forms (S3's POST policy); ``message`` is S3's, shown by its shape, or empty."""

    where: str
    answered: str
    code: str
    message: str = ""

    def _words(self) -> str:
        said = f"{self.code}: {self.message}" if self.message else self.code
        return (
            f"{self.where}: the store does not take upload forms (S3's POST policy) as S3 does: it answered "
            f"{self.answered}, {said}; sign an upload link with method: put instead"
        )


class FormTaken(S3Failure):
    """The store took a form whose signature and policy were altered: its limits would not hold."""

    where: str
    answered: str
    template = (
        "{where}: the store took a form whose signature and policy were altered ({answered}): it "
        "checks neither, so a form's size and type limits would not hold there"
    )


class ClockRefused(S3Failure):
    """S3 refused a fresh request as expired or not yet valid: its clock, or a very short expiry."""

    where: str
    message: str
    clock_skew: float | None

    def _words(self) -> str:
        skew = self.clock_skew or 0
        cause = "the clocks disagree, or expires_in is shorter than the check took"
        if abs(skew) > CLOCK_SKEW_WARNING_SECONDS:
            cause = f"S3's clock is {abs(skew):.0f} s {direction(skew)} this machine's; set this machine's clock right"
        return f"{self.where}: S3 refused the request by its clock ({self.message}): {cause}"


class DeadOnArrival(S3Failure):
    """S3's clock is so far ahead that a link has expired by S3's reckoning before anyone can use it."""

    clock_skew: float
    expires_in: int
    template = (
        "S3's clock is {clock_skew:.0f} s ahead of this machine's, so a link that lasts {expires_in} s "
        "has expired by S3's clock before anyone can use it; set this machine's clock right, for example "
        "with NTP, or lengthen expires_in"
    )


class Redirected(S3Failure):
    """S3 redirected without naming a region."""

    where: str
    answered: str
    origin: str
    path: str

    def _words(self) -> str:
        target = f"{self.origin}{self.path}" or "nowhere"
        address = self.origin or "the store's real address"
        return (
            f"{self.where}: S3 answered {self.answered}, redirecting to {target} without naming a region; set "
            f"source.endpoint to {address}"
        )


class MovedTwice(S3Failure):
    """S3 named a third region for the bucket: a region is followed once; ``regions`` in the order named."""

    where: str
    bucket: str
    regions: tuple[str, str, str]
    template = (
        "{where}: S3 named the region {regions[2]} for bucket {bucket}, after {regions[0]} and {regions[1]}; "
        "please specify source.region"
    )


class ExistsAlready(S3Failure):
    """An upload link that may not overwrite is for a key that exists: every upload would be refused."""

    bucket: str
    key: str
    template = (
        "params.overwrite: s3://{bucket}/{key} exists already, so every upload through a link with overwrite: "
        "false would be refused (412); sign another key, or set overwrite: true"
    )


class PublicHostRefused(S3Failure):
    """A link signed for ``public_endpoint`` was refused, though the store takes what is signed for ``endpoint``."""

    where: str
    public: str
    endpoint: str
    routed: bool

    def _words(self) -> str:
        host = urlsplit(self.public).netloc
        if self.routed:
            return (
                f"{self.where}: {self.endpoint} refused the link signed for {self.public}, sent with Host: {host} as "
                "a proxy that keeps the Host header sends it (SignatureDoesNotMatch), and takes what is signed for "
                "itself: this store cannot serve links through such a proxy; leave public_endpoint out"
            )
        return (
            f"{self.where}: the link signed for {self.public} was refused there (SignatureDoesNotMatch), though "
            f"{self.endpoint} takes what is signed for itself: the proxy at {self.public} must pass the Host header "
            f"on as it is, {host}, and the path unchanged"
        )
