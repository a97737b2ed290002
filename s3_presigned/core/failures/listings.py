"""A listing, or an answer, that is not what S3 sends: a store or a proxy that breaks what the step reads."""

from __future__ import annotations

from s3_presigned.core.failures.base import S3Failure

_PROXY = "is a proxy in the way?"


class ListingBroken(S3Failure):
    """A listing S3 would never send: it cannot be trusted to hold every object, once each."""


class PageGuarded(ListingBroken):
    """A listing whose pages, taken together, are broken; ``listing`` names it, such as ``s3://bucket/prefix``."""

    listing: str

    def _words(self) -> str:
        return f"listing {self.listing}: {self.template.format(**vars(self))}"


class KeyOutsidePrefix(PageGuarded):
    """S3 listed a key that does not start with the prefix asked for."""

    key: str
    prefix: str
    template = (
        "S3 listed {key!r}, outside the prefix {prefix!r}; nothing is signed from a store that ignores the prefix"
    )


class KeyRepeated(PageGuarded):
    """S3 listed a key a second time: a page was served again."""

    key: str
    page: int
    template = "S3 listed {key!r} twice, on page {page}: the store repeats pages"


class TokenAfterLast(PageGuarded):
    """S3 said a page was the last, yet gave a token for the next."""

    page: int
    template = "S3 said page {page} was the last but gave a continuation token: the listing may be cut short"


class NoToken(PageGuarded):
    """S3 said a page was truncated, yet gave no token for the next."""

    page: int
    template = "S3 said page {page} was truncated but gave no continuation token"


class TokenRepeated(PageGuarded):
    """S3 gave a continuation token it gave before: the listing would cycle."""

    pages: int
    template = "S3 gave a continuation token a second time, after {pages} pages: the listing would never end"


class EndlessPages(PageGuarded):
    """More pages than objects allowed: the listing does not end."""

    pages: int
    count: int
    template = "{pages} pages for {count} objects: the listing does not end"


class EntryWithoutKey(ListingBroken):
    """A listing's entry has no key."""

    template = f"S3 listed an object without a key: {_PROXY}"


class KeyTooLong(ListingBroken):
    """A listing's key is longer than S3 allows; ``size`` in bytes of UTF-8."""

    size: int
    template = f"S3 listed a key of {{size}} bytes, longer than S3 allows: {_PROXY}"


class NotS3Xml(S3Failure):
    """A body that should be S3's XML but is not, such as a proxy's HTML page; ``answered`` such as ``200 OK``."""

    answered: str

    def _words(self) -> str:
        return f"S3 answered {self.answered} with {self.template.format(**vars(self))}: {_PROXY}"


class WrongRoot(NotS3Xml):
    """XML whose root is not what S3 sends there; ``tag`` is the server's, shown by its shape."""

    tag: str
    wanted: str
    template = "<{tag}>, not {wanted}"


class DoctypeSent(NotS3Xml):
    """XML with a document type, which S3 never declares."""

    template = "a DOCTYPE, which S3 never sends"


class NotXml(NotS3Xml):
    """A body of another type; ``content_type`` is the server's, shown by its shape, or ``no content type``."""

    content_type: str
    template = "{content_type}, not S3 XML"


class BrokenXml(NotS3Xml):
    """XML that does not parse."""

    problem: str
    template = "broken XML ({problem})"
