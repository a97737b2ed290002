"""The one line for each way a request to S3 can fail: pure functions of what was asked and what S3 answered.

What S3 answered is data: its code is one of those S3 documents, and its text a :class:`ServerText`, which formats
only as :mod:`s3_presigned.s3.shape` shows it.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from s3_presigned.core.errors import ConfigError, ResourceError, without_user_info
from s3_presigned.s3.answers import Answer, S3Error, server_value
from s3_presigned.s3.shape import ServerText

CLOCK_SKEW_WARNING_SECONDS = 60
# S3's own hosts, such as s3.eu-west-2.amazonaws.com and s3-fips.dualstack.us-east-1.amazonaws.com.
_AWS_HOST = re.compile(
    r"s3(?:[.-](?:dualstack|fips|accelerate|external-1|[a-z]{2}(?:-[a-z]+)+-[0-9]+))*+\.amazonaws\.com(?:\.cn)?"
)
_ORIGIN = re.compile(r"(?i)https?://[a-z0-9.-]{1,253}+(?::[0-9]{1,5}+)?+(?=/|$)")


class Asked(NamedTuple):
    """Who asked what of which bucket: what every line about a failed request may name.

    :ivar where: What the step was doing, such as ``listing s3://bucket/prefix``.
    :ivar bucket: The bucket's name.
    :ivar identity: The credentials that signed, as :attr:`SigningIdentity.described` names them.
    :ivar endpoint: The store's address, or ``AWS (region)``.
    """

    where: str
    bucket: str
    identity: str
    endpoint: str


def failure(asked: Asked, answer: Answer, error: S3Error) -> ResourceError:
    """Name the cause of an error answer that any request may get."""
    causes = {
        "SignatureDoesNotMatch": f"the secret key of {asked.identity} does not match its access key id",
        "InvalidAccessKeyId": f"S3 does not know the access key id of {asked.identity}",
        "InvalidToken": f"S3 refused the session token of {asked.identity}",
        "ExpiredToken": f"the session token of {asked.identity} has expired",
        "NoSuchBucket": f"the bucket {asked.bucket} does not exist at {asked.endpoint}",
        "RequestTimeTooSkewed": "this machine's clock is too far from S3's; set it right, for example with NTP",
    }
    if error.code in causes:
        return ResourceError(f"{asked.where}: {causes[error.code]} ({error.code})")
    said = f"{error.code}: {error.message}" if error.message else error.code
    if not answer.body.strip():
        said = "no details"
    return ResourceError(f"{asked.where}: S3 answered {answer.describe()}, {said}")


def is_missing(answer: Answer, error: S3Error) -> bool:
    """Whether a download was refused because its object does not exist."""
    return error.code == "NoSuchKey" or (answer.status == 404 and error.code == "404")  # noqa: PLR2004  # Not Found


def is_denied(error: S3Error) -> bool:
    """Whether S3 refused access, itself or through KMS."""
    return error.code == "AccessDenied" or error.code.startswith("KMS.")


def names_kms(error: S3Error) -> bool:
    """Whether a refusal names KMS, whose key the reader may not use."""
    return "kms" in f"{error.code} {error.message.raw}".lower()


def object_failure(
    asked: Asked, answer: Answer, error: S3Error, key: str, version_id: str | None, *, requester_pays: bool
) -> ResourceError:
    """Name why a download link does not work: the object, its storage, its key, or who pays.

    :param asked: The request.
    :param answer: S3's answer to the link.
    :param error: The error S3 named in it.
    :param key: The object's key.
    :param version_id: The version asked for, if any.
    :param requester_pays: Whether the same link with ``x-amz-request-payer`` worked: the bucket is requester-pays.
    """
    subject = f"s3://{asked.bucket}/{key}"
    denied = is_denied(error)
    if is_missing(answer, error):
        folder = key.rpartition("/")[0]
        return ResourceError(
            f"{subject} does not exist; check the key{_leading_slash_hint(key)} and source.key_prefix, for "
            f"example with: aws s3 ls s3://{asked.bucket}/{folder + '/' if folder else ''}"
        )
    if error.code == "NoSuchVersion":
        cause = f"version {version_id} of {subject} does not exist"
    elif error.code == "InvalidObjectState":
        archive = error.storage_class or "an archive storage class"
        cause = f"{subject} is archived in {archive} and not restored; restore it before sharing it"
    elif denied and names_kms(error):
        cause = (
            f"{subject} is encrypted with a KMS key that {asked.identity} may not use; "
            f"grant kms:Decrypt on the key (S3 answered {error.code}: {error.message})"
        )
    elif denied and requester_pays:
        cause = (
            f"{subject} is in a requester-pays bucket: S3 refuses a link that does not say who pays, "
            "and a plain link cannot"
        )
    elif denied:
        cause = (
            f"{subject}: access denied to {asked.identity}; grant s3:GetObject on it, and "
            "s3:ListBucket on the bucket so that a missing object is reported as missing (AccessDenied)"
        )
    else:
        cause = str(failure(asked, answer, error))
    # Some stores refuse such a key outright, as rclone does with 400 InvalidArgument: whatever the cause, say it.
    return ResourceError(cause + _leading_slash_hint(key))


def _leading_slash_hint(key: str) -> str:
    # S3 allows a key that starts with /, so it is not refused; but it is most often a path written out of habit.
    return f" (it starts with '/': drop it if the object is {key.lstrip('/')})" if key.startswith("/") else ""


def missing_keys(bucket: str, keys: str) -> ResourceError:
    """Name the keys of ``file_paths`` that a listing did not find."""
    return ResourceError(f"params.file_paths: not in s3://{bucket}: {keys}; check the keys and source.key_prefix")


def listing_denied(asked: Asked) -> ResourceError:
    """Say that the signer may not list the bucket, and what to grant."""
    return ResourceError(f"{asked.where}: access denied to {asked.identity}: grant s3:ListBucket on {asked.bucket}")


def page_too_large(where: str, limit: int) -> ResourceError:
    """Say that a listing's page is larger than S3 ever sends."""
    return ResourceError(f"{where}: a page is larger than {limit >> 20} MiB: is a proxy in the way?")


def unchecked_signatures(
    where: str, forged: Answer, request: str, subject: str, field: str = "source.endpoint"
) -> ResourceError:
    """Name an endpoint that accepted a request with an altered signature and did not answer as S3 does.

    :param field: The field that set the host the request went to: ``source.public_endpoint`` for a link's own.
    """
    said = server_value("content_type", forged.headers.get("content-type")) or "no content type of S3's shape"
    return ResourceError(
        f"{where}: the {field.removeprefix('source.')} answered {forged.describe()} with {said} to the {request} "
        f"with its signature altered, and does not list as S3 does: it is not S3 serving the {subject}. Is {field} "
        "a web console or a proxy?"
    )


def unchecked_warning(endpoint: str) -> str:
    """Warn, once a step, that the store checks no signatures: its links work for anyone, and prove nothing."""
    return (
        f"warning: {endpoint} served a request whose signature was altered, and answered as S3 does: it checks no "
        "signatures, so these links work there for anyone who holds them, and nothing about their signing is proven\n"
    )


# What a store that checks forms answers to one that breaks its policy: refused as S3 refuses it.
FORM_REFUSALS = frozenset(
    {"AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "EntityTooSmall", "EntityTooLarge",
     "InvalidPolicyDocument"}
)  # fmt: skip


def forms_not_taken(where: str, answer: Answer, error: S3Error) -> ResourceError:
    """Say that the store takes no upload forms (S3's POST policy), naming what it answered."""
    said = f"{error.code}: {error.message}" if error.message else error.code
    return ResourceError(
        f"{where}: the store does not take upload forms (S3's POST policy) as S3 does: it answered "
        f"{answer.describe()}, {said}; sign an upload link with method: put instead"
    )


def form_taken(where: str, answer: Answer) -> ResourceError:
    """Say that the store took a form whose signature and policy were altered: its limits would not hold."""
    return ResourceError(
        f"{where}: the store took a form whose signature and policy were altered ({answer.describe()}): it "
        "checks neither, so a form's size and type limits would not hold there"
    )


def expired(where: str, message: ServerText, clock_skew: float | None) -> ResourceError:
    """Say why S3 refused a fresh request as expired or not yet valid: its clock, or a very short expiry."""
    skew = clock_skew or 0
    if abs(skew) > CLOCK_SKEW_WARNING_SECONDS:
        cause = f"S3's clock is {abs(skew):.0f} s {_direction(skew)} this machine's; set this machine's clock right"
    else:
        cause = "the clocks disagree, or expires_in is shorter than the check took"
    return ResourceError(f"{where}: S3 refused the request by its clock ({message}): {cause}")


def says_expired(message: ServerText) -> bool:
    """Whether S3's message refuses a request by its clock.

    S3 and MinIO say "Request has expired" or "Request is not yet valid" with code AccessDenied, before any
    permission, and MinIO before the signature too.
    """
    said = message.raw.lower()
    return "expired" in said or "not yet valid" in said


def dead_on_arrival(clock_skew: float, expires_in: int) -> ResourceError:
    """Say that S3's clock is so far ahead that a link has expired by S3's reckoning before anyone can use it."""
    return ResourceError(
        f"S3's clock is {clock_skew:.0f} s ahead of this machine's, so a link that lasts {expires_in} s "
        "has expired by S3's clock before anyone can use it; set this machine's clock right, for example "
        "with NTP, or lengthen expires_in"
    )


def redirect(where: str, answer: Answer, bucket: str, endpoints: tuple[str | None, ...]) -> ResourceError:
    """Say where S3 redirected without naming a region, and which endpoint to set.

    :param bucket: The bucket's name, which an AWS host may begin with.
    :param endpoints: The addresses the step was given: a redirect to one of their hosts is named as it is.
    """
    location = without_user_info(answer.headers.get("location", "")).split("?", 1)[0]
    # The origin is shown as it is when its host is one the step knows, since it is the endpoint to set. Any other
    # host is the server's text, as the rest is: a server may spell anything in a host's letters and dots.
    origin = found.group() if (found := _ORIGIN.match(location)) else ""
    if origin and not _known_host(urlsplit(origin).hostname or "", bucket, endpoints):
        origin = ""
    rest = location[len(origin) :]
    target = f"{origin}{ServerText(rest) if rest else ''}" or "nowhere"
    hint = f"; set source.endpoint to {origin}" if origin else "; set source.endpoint to the store's real address"
    return ResourceError(
        f"{where}: S3 answered {answer.describe()}, redirecting to {target} without naming a region{hint}"
    )


def _known_host(host: str, bucket: str, endpoints: tuple[str | None, ...]) -> bool:
    if host in {urlsplit(endpoint).hostname for endpoint in endpoints if endpoint is not None}:
        return True
    return _AWS_HOST.fullmatch(host.removeprefix(f"{bucket}.")) is not None


def moved_twice(where: str, bucket: str, regions: tuple[str, str, str]) -> ResourceError:
    """Say that S3 named a third region for the bucket: a region is followed once."""
    first, second, third = regions
    return ResourceError(
        f"{where}: S3 named the region {third} for bucket {bucket}, after {first} and {second}; "
        "please specify source.region"
    )


def no_region() -> ConfigError:
    """Say that no region is known and the step may not ask S3 for it."""
    return ConfigError(
        "source.region",
        "no region is set here, in AWS_REGION or AWS_DEFAULT_REGION, or in the AWS config; please specify "
        "region, or leave verify on so that the step can ask S3 where the bucket is",
    )


def aws_config(error: Exception) -> ResourceError:
    """Say that the AWS config or credentials files cannot be read."""
    return ResourceError(f"AWS config: {error}; check AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE")


def exists_already(bucket: str, key: str) -> ResourceError:
    """Say that an upload link that may not overwrite is for a key that exists: every upload would be refused."""
    return ResourceError(
        f"params.overwrite: s3://{bucket}/{key} exists already, so every upload through a link with overwrite: "
        "false would be refused (412); sign another key, or set overwrite: true"
    )


def public_route_note(public: str, endpoint: str) -> str:
    """Say that the step proves links through ``endpoint``, since it cannot reach the host they are signed for."""
    host = urlsplit(public).netloc
    return (
        f"note: {public} cannot be reached from here; the links signed for it are proven at {endpoint} with "
        f"Host: {host}, as a proxy that keeps the Host header sends them\n"
    )


def public_host_refused(where: str, public: str, endpoint: str, *, routed: bool) -> ResourceError:
    """Name what refused a link signed for ``public_endpoint`` that the store would take signed for ``endpoint``."""
    host = urlsplit(public).netloc
    if routed:
        return ResourceError(
            f"{where}: {endpoint} refused the link signed for {public}, sent with Host: {host} as a proxy that keeps "
            f"the Host header sends it (SignatureDoesNotMatch), and takes what is signed for itself: this store "
            "cannot serve links through such a proxy; leave public_endpoint out"
        )
    return ResourceError(
        f"{where}: the link signed for {public} was refused there (SignatureDoesNotMatch), though {endpoint} takes "
        f"what is signed for itself: the proxy at {public} must pass the Host header on as it is, {host}, "
        "and the path unchanged"
    )


def region_warning(given: str, bucket: str, region: str) -> str:
    """Warn that the source's region is not the bucket's, which S3 named and the step follows."""
    return (
        f"warning: source.region is {given}, but S3 says bucket {bucket} is in {region}; "
        f"signing for {region} (set region: {region} to save a request)\n"
    )


def clock_warning(skew: float) -> str | None:
    """Warn when S3's clock is far from this machine's; ``None`` when it is close enough."""
    if abs(skew) <= CLOCK_SKEW_WARNING_SECONDS:
        return None
    return (
        f"warning: the S3 server's clock is {abs(skew):.0f} s {_direction(skew)} this machine's; "
        "the URL's validity window is shifted by as much\n"
    )


def _direction(skew: float) -> str:
    return "ahead of" if skew > 0 else "behind"
