"""What the get asks of a store: its name and region, the identity that signs, signing, and listing.

:class:`s3_presigned.s3.store.Store` is the store itself, over the network; anything else that answers the same
can stand in where only the step's own logic is at stake, such as which keys it picks and what it writes.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from s3_presigned.core.context import StepContext
    from s3_presigned.s3.answers import ListedObject
    from s3_presigned.s3.connection import Connection
    from s3_presigned.s3.credentials import SigningIdentity
    from s3_presigned.s3.policy import Form
    from s3_presigned.s3.store import Operation, S3Request


class S3Client(Protocol):
    """One bucket as the get talks to it, open for the length of the step."""

    name: str
    """The bucket."""
    region: str
    """The region links are signed for, as known now."""
    identity: SigningIdentity
    """The credentials that sign, and when they stop working."""

    def presign(self, operation: Operation, request: S3Request, expires_in: int, *, for_people: bool = True) -> str:
        """Sign a URL for one operation on one object."""
        ...

    def presign_form(self, form: Form, expires_in: int) -> tuple[str, dict[str, str]]:
        """Sign an upload form: its address, and its fields."""
        ...

    def objects(self, prefix: str, max_objects: int, *, limit_field: str, remedy: str) -> list[ListedObject]:
        """List every object under a prefix, in S3's order; folder markers are left out."""
        ...


class Opener(Protocol):
    """Opens the bucket for one step, as :meth:`s3_presigned.s3.store.Store.open` does."""

    def __call__(
        self, connection: Connection, context: StepContext, *, wanted_seconds: int, may_ask: bool, warnings: TextIO
    ) -> AbstractContextManager[S3Client]:
        """Resolve the region and the identity, and hold the bucket open while the step runs."""
        ...
