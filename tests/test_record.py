"""A failure's fields are its annotations: set in their order or by name, defaults kept, class variables not."""

from __future__ import annotations

from dataclasses import field
from typing import ClassVar

import pytest

from s3_presigned.core.record import Record


class _BaseError(Record, Exception):
    first: str
    second: int = 2
    template: ClassVar[str] = "not a field"


class _ChildError(_BaseError):
    third: str | None = field(default=None, kw_only=True)


def test_fields_come_in_their_declared_order_after_the_bases() -> None:
    child = _ChildError("a", 3, third="c")
    assert (child.first, child.second, child.third) == ("a", 3, "c")
    assert _ChildError._fields == ("first", "second", "third")


def test_defaults_fill_what_is_not_given_and_class_variables_are_not_fields() -> None:
    assert vars(_ChildError("a")) == {"first": "a", "second": 2, "third": None}


def test_a_missing_field_or_an_extra_argument_is_refused() -> None:
    with pytest.raises(TypeError, match="missing first"):
        _ChildError()
    with pytest.raises(TypeError, match="takes 2 positional"):
        _ChildError("a", 3, "c")  # type: ignore[misc]
