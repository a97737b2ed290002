"""A listing, checked page by page: a broken store can neither loop, skip pages, nor leave the prefix."""

from __future__ import annotations

import os

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.core.failures.listings import (
    EndlessPages,
    KeyOutsidePrefix,
    KeyRepeated,
    NoToken,
    TokenAfterLast,
    TokenRepeated,
)
from s3_presigned.s3.answers import ListPage


def common_prefix(keys: list[str]) -> str:
    """Return the longest prefix the keys share, so that one listing covers them all."""
    return os.path.commonprefix(keys)  # noqa: RUF071  # S3 prefixes are strings, not path components


class PageGuard:
    """Checks a listing page by page, so that a broken store can neither loop, skip pages, nor leave the prefix.

    A key listed twice means a page was served again; a continuation token seen before means the listing would
    never end. The order of keys is not checked: S3 lists in UTF-8 order, but other stores keep their own (SeaweedFS
    does in a versioned bucket). The keys seen are held until ``max_objects`` fails the listing, as the listing's
    objects are, so the guard holds at most one page more than the step signs.

    :param where: The listing, such as ``s3://bucket/prefix``, for messages.
    :param prefix: Every key must start with it.
    :param max_objects: The most objects the listing may hold.
    :param limit_field: The field to name when it holds more.
    :param remedy: What to do then.
    """

    def __init__(
        self,
        where: str,
        prefix: str,
        max_objects: int,
        limit_field: str,
        remedy: str,
    ) -> None:
        self._where = where
        self._prefix = prefix
        self._max_objects = max_objects
        self._limit_field = limit_field
        self._remedy = remedy
        self._tokens: set[str] = set()
        self._keys: set[str] = set()
        self.count = 0
        self.pages = 0

    def accept(self, page: ListPage) -> str | None:
        """Check one page; return the token for the next, or ``None`` after the last.

        :raises ListingBroken: Naming what is wrong with the listing.
        :raises ConfigError: If there are more objects than ``max_objects``.
        """
        self.pages += 1
        for listed in page.objects:
            self._check_key(listed.key)
        if self.count > self._max_objects:
            raise ConfigError(
                self._limit_field,
                f"more than {self._max_objects} objects under {self._where} ({self.count} listed so far); "
                f"{self._remedy}",
            )
        return self._next_token(page)

    def _check_key(self, key: str) -> None:
        if not key.startswith(self._prefix):
            raise KeyOutsidePrefix(self._where, key, self._prefix)
        if key in self._keys:
            raise KeyRepeated(self._where, key, self.pages)
        self._keys.add(key)
        self.count += 1

    def _next_token(self, page: ListPage) -> str | None:
        if not page.truncated:
            if page.next_token:
                raise TokenAfterLast(self._where, self.pages)
            return None
        if not page.next_token:
            raise NoToken(self._where, self.pages)
        if page.next_token in self._tokens:
            raise TokenRepeated(self._where, self.pages)
        if self.pages > self._max_objects:
            raise EndlessPages(self._where, self.pages, self.count)
        self._tokens.add(page.next_token)
        return page.next_token
