"""How a store behaved that makes a link or a form unusable: its clock, its redirects, what it checks."""

from __future__ import annotations

from urllib.parse import urlsplit

from s3_presigned.core.failures.base import S3Failure
from s3_presigned.core.notices import CLOCK_SKEW_WARNING_SECONDS, direction


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
