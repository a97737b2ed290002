"""What a step signed: its links, signed as they are written, when they stop working, and where."""

import datetime
from collections.abc import Callable, Iterator
from typing import NamedTuple

from s3_presigned.s3.answers import ListedObject, ObjectInfo

Info = ObjectInfo | ListedObject


class SignedObject(NamedTuple):
    """One presigned URL, with what S3 said of its object when the step checked."""

    key: str
    url: str
    info: Info | None


class Signed(NamedTuple):
    """The outcome of a step: its links, signed as they are written, when they stop working, and where.

    Only the first URL is held; the others are signed on the way to the files, while the bucket is still open,
    so that a step over many objects holds a few hundred bytes per object rather than every URL.
    """

    selected: list[tuple[str, Info | None]]
    first_url: str
    sign_more: Callable[[str], str]
    expires_in: int
    expires_at: datetime.datetime
    region: str
    version: str | None = None
    form_fields: dict[str, str] | None = None
    """The signed fields of an upload form (``method: post``), whose address is :attr:`first_url`."""

    @property
    def keys(self) -> list[str]:
        """Every key signed, in order."""
        return [key for key, _ in self.selected]

    def first(self) -> SignedObject:
        """Return the first link, the one that was proven."""
        key, info = self.selected[0]
        return SignedObject(key, self.first_url, info)

    def links(self) -> Iterator[SignedObject]:
        """Every link, in order, each signed as it is asked for."""
        for index, (key, info) in enumerate(self.selected):
            yield SignedObject(key, self.first_url if index == 0 else self.sign_more(key), info)
