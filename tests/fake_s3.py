"""An in-memory bucket that the get talks to in place of the store, for the step's own logic: no network.

It lists as S3 does, a page at a time in UTF-8 order through the product's own page guard, and signs with the
product's own code and botocore's signer, offline, so links are real SigV4 links and the batch signer agrees.
What a store answers over the wire is the proof's, the transport's and the store tier's: tested against servers.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TextIO

from botocore.credentials import ReadOnlyCredentials

from s3_presigned.core.context import StepContext
from s3_presigned.resource import PresignedUrlResource
from s3_presigned.s3.answers import ListedObject, ListPage
from s3_presigned.s3.credentials import SigningIdentity
from s3_presigned.s3.facts import DEFAULT_STORE_REGION
from s3_presigned.s3.listing import PageGuard
from s3_presigned.s3.session import new_session
from s3_presigned.s3.store import Store, client_config
from tests.support import ACCESS_KEY, BUCKET, SECRET_KEY

if TYPE_CHECKING:
    from s3_presigned.s3.client import Opener
    from s3_presigned.s3.connection import Connection

PAGE = 1000  # S3's largest page


@dataclass
class FakeBucket:
    """Objects by key, as a test puts them; the page size of its listings; how many pages it served."""

    objects: dict[str, bytes] = field(default_factory=dict)
    page: int = PAGE
    pages_served: int = 0

    def put(self, key: str, body: bytes = b"") -> bytes:
        self.objects[key] = body or f"contents of {key}".encode()
        return self.objects[key]

    def listed(self, key: str) -> ListedObject:
        body = self.objects[key]
        etag = f'"{hashlib.md5(body).hexdigest()}"'  # noqa: S324  # as S3 shapes an ETag
        return ListedObject(key, len(body), etag, "2026-01-01T00:00:00.000Z", "STANDARD")

    def list_page(self, prefix: str, after: str | None) -> ListPage:
        """One page of ListObjectsV2: keys under the prefix in UTF-8 order, after the token's key."""
        keys = sorted((key for key in self.objects if key.startswith(prefix)), key=lambda key: key.encode())
        start = 0 if after is None else next(n for n, key in enumerate(keys) if key.encode() > after.encode())
        chunk = keys[start : start + self.page]
        self.pages_served += 1
        more = start + self.page < len(keys)
        return ListPage([self.listed(key) for key in chunk], more, chunk[-1] if more else None)


class FakeStore:
    """The bucket, open for one step: the get's view of a store (:class:`s3_presigned.s3.client.S3Client`)."""

    # The product's own signing, over botocore's clients made offline: no request is sent to sign.
    presign = Store.presign
    presign_form = Store.presign_form

    def __init__(self, bucket: FakeBucket, connection: Connection, context: StepContext) -> None:
        keys = connection.keys
        assert keys is not None, "the fake signs with the keys in source"
        self.name = connection.bucket
        self.region = connection.region or DEFAULT_STORE_REGION
        credentials = ReadOnlyCredentials(keys.access_key_id, keys.secret_access_key, keys.session_token)
        self.identity = SigningIdentity(credentials, None, "source")
        self._bucket = bucket
        client = new_session().create_client(
            "s3",
            region_name=self.region,
            endpoint_url=connection.endpoint,
            aws_access_key_id=keys.access_key_id,
            aws_secret_access_key=keys.secret_access_key,
            aws_session_token=keys.session_token,
            config=client_config(connection),
        )
        # What Store's own signing reads: the clients of its reach, and the step's knowledge of what it signed.
        self._reach: Any = SimpleNamespace(client=client, links_client=client)
        self.context = context

    def objects(self, prefix: str, max_objects: int, *, limit_field: str, remedy: str) -> list[ListedObject]:
        guard = PageGuard(f"s3://{self.name}/{prefix}", prefix, max_objects, limit_field, remedy)
        found: list[ListedObject] = []
        token: str | None = None
        while True:
            page = self._bucket.list_page(prefix, token)
            token = guard.accept(page)
            found.extend(listed for listed in page.objects if not listed.key.endswith("/"))
            if token is None:
                return found


def fake_source(**overrides: Any) -> dict[str, Any]:
    """A source for the fake bucket: the test keys, and an endpoint nothing listens on, for nothing is sent."""
    return {
        "bucket": BUCKET,
        "endpoint": "http://127.0.0.1:9",
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
    } | overrides


def opener(bucket: FakeBucket) -> Opener:
    """Open the fake bucket as :meth:`Store.open` opens a store."""

    @contextlib.contextmanager
    def open_store(
        connection: Connection,
        context: StepContext,
        *,
        wanted_seconds: int,  # noqa: ARG001  # the same signature as Store.open's
        may_ask: bool,  # noqa: ARG001
        warnings: TextIO,  # noqa: ARG001
    ) -> Iterator[FakeStore]:
        yield FakeStore(bucket, connection, context)

    return open_store


def resource_over(bucket: FakeBucket) -> type[PresignedUrlResource]:
    """The resource type, its get talking to the fake bucket."""

    class OverFake(PresignedUrlResource):
        @staticmethod
        def open_store() -> Opener:
            return opener(bucket)

    return OverFake
