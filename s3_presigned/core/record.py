"""A type whose fields are its annotations, as a dataclass's are, without a dataclass's generated code.

Every step imports the failure types; generating their code as dataclasses cost a few milliseconds of each start.
"""

from __future__ import annotations

from dataclasses import MISSING, Field, field
from typing import ClassVar, dataclass_transform

_UNSET = object()


@dataclass_transform(eq_default=False, field_specifiers=(field,))
class Record:
    """Fields from the annotations, read as each subclass is defined; arguments in their order, or by name."""

    _fields: ClassVar[tuple[str, ...]] = ()
    _keyword_only: ClassVar[frozenset[str]] = frozenset()
    _defaults: ClassVar[dict[str, object]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Take the subclass's own fields: its annotations but those of class variables, after its bases'."""
        super().__init_subclass__(**kwargs)
        own = [name for name, kind in vars(cls).get("__annotations__", {}).items() if "ClassVar" not in str(kind)]
        cls._fields = (*cls._fields, *own)
        cls._defaults = dict(cls._defaults)
        keyword_only = set(cls._keyword_only)
        for name in own:
            declared = vars(cls).get(name, _UNSET)
            if isinstance(declared, Field):
                keyword_only.update([name] if declared.kw_only is True else [])
                declared = declared.default
            if declared is not _UNSET and declared is not MISSING:
                cls._defaults[name] = declared
        cls._keyword_only = frozenset(keyword_only)

    def __init__(self, *args: object, **kwargs: object) -> None:
        """Set each field from the arguments, in the order the fields are declared, or from its default."""
        positional = [name for name in self._fields if name not in self._keyword_only]
        if len(args) > len(positional):
            raise TypeError(f"{type(self).__name__} takes {len(positional)} positional arguments")
        values = self._defaults | dict(zip(positional, args, strict=False)) | kwargs
        if missing := [name for name in self._fields if name not in values]:
            raise TypeError(f"{type(self).__name__} is missing {', '.join(missing)}")
        vars(self).update(values)
        super().__init__(*args)
