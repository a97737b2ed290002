"""A listing, checked page by page: a broken store can neither loop, skip pages, nor leave the prefix."""

from __future__ import annotations

import os

from s3_presigned.core.failures import ConfigError, ResourceError
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

        :raises ResourceError: Naming what is wrong with the listing.
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
            raise ResourceError(
                f"listing {self._where}: S3 listed {key!r}, outside the prefix {self._prefix!r}; "
                "nothing is signed from a store that ignores the prefix"
            )
        if key in self._keys:
            raise ResourceError(
                f"listing {self._where}: S3 listed {key!r} twice, on page {self.pages}: the store repeats pages"
            )
        self._keys.add(key)
        self.count += 1

    def _next_token(self, page: ListPage) -> str | None:
        where = f"listing {self._where}: S3"
        if not page.truncated:
            if page.next_token:
                raise ResourceError(
                    f"{where} said page {self.pages} was the last but gave a continuation token: the listing may be "
                    "cut short"
                )
            return None
        if not page.next_token:
            raise ResourceError(f"{where} said page {self.pages} was truncated but gave no continuation token")
        if page.next_token in self._tokens:
            raise ResourceError(
                f"{where} gave a continuation token a second time, after {self.pages} pages: the listing would "
                "never end"
            )
        if self.pages > self._max_objects:
            raise ResourceError(
                f"listing {self._where}: {self.pages} pages for {self.count} objects: the listing does not end"
            )
        self._tokens.add(page.next_token)
        return page.next_token
