"""The roots of every cause: a failure the user can act on, a field of the request, and what S3 answered."""

from typing import ClassVar, NamedTuple, Self

from s3_presigned.core.record import Record


class ResourceError(Exception):
    """A failure the user can act on, reported as one line without a traceback; worded where raised but a cause's."""

    template: ClassVar[str] = ""
    places: tuple[str, ...] = ()

    def __str__(self) -> str:
        """Word the one line, after the places it happened in, outermost first."""
        return "".join(f"{place}: " for place in self.places) + self._words()

    def at(self, place: str) -> Self:
        """Name where this failure happened, such as the request that met it, and return it, still of its type.

        :param place: Such as ``listing s3://bucket/prefix``, which the line then begins with.
        """
        self.places = (place, *self.places)
        return self

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


class BadConfiguredRegion(ConfigError):
    """The region the environment or the AWS config names is not one botocore takes."""

    def __init__(self, setting: str, region: str) -> None:
        """Name where the region was set, the region, and what is accepted.

        :param setting: ``AWS_REGION``, ``AWS_DEFAULT_REGION`` or ``the AWS config's region``.
        :param region: The region as it was set.
        """
        super().__init__(
            setting,
            f"got {region[:64]!r}; expected a lowercase name such as us-east-1, or set source.region, which wins",
        )


class Cause(Record, ResourceError):
    """A cause the step names: a record of its fields, worded from them by its type."""


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
