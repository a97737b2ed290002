"""Concourse's ((var)) syntax and load_var, ported so that the example tests resolve vars as a build does.

Each part follows the Go code it names, in concourse/concourse:

* ``vars/template.go``: the reference regex, and how a value replaces a whole string or a part of one;
* ``vars/variables.go``: ``ParseReference`` and ``Reference.String``, which names a var in messages;
* ``vars/static_vars.go`` and ``vars/errors.go``: following fields into a value, and the errors;
* ``atc/exec/build_vars.go``, ``atc/db/pipeline.go`` and ``atc/creds/secret_var_lookup.go``: a build's local
  vars first, then the credential manager;
* ``atc/exec/load_var_step.go``: reading a file in a format;
* ``vars/tracker.go``: which parts of a loaded value the build log redacts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# vars/template.go. Go's \w is ASCII and its \pL is any letter; Python's \w is both (and other scripts' digits,
# which no var name uses).
REFERENCE = re.compile(r'\(\((([-/.\w]+:)?[-/.:@"\w]+)\)\)')
LOAD_VAR_FORMATS = ("raw", "trim", "yml", "yaml", "json")
# Reference.String quotes a segment that holds any of these.
NEEDS_QUOTES = frozenset(",.:/ ")
# Go's %T of what load_var and the credential manager produce; numbers are json.Number (UseNumber).
GO_TYPES = {
    str: "string",
    bool: "bool",
    int: "json.Number",
    float: "json.Number",
    list: "[]interface {}",
    dict: "map[string]interface {}",
    type(None): "<nil>",
}


class VarError(Exception):
    """A var that Concourse refuses, with Concourse's own message."""


@dataclass(frozen=True)
class Reference:
    """A parsed var: ``((source:path.field...))``, where the source ``.`` means the build's local vars."""

    source: str
    path: str
    fields: tuple[str, ...] = ()

    @classmethod
    def parse(cls, name: str) -> Reference:
        """ParseReference: the source ends at the first ``:`` outside quotes, the rest splits on unquoted dots."""
        rest, source = name, ""
        colon = find_unquoted(rest, ":")
        if colon is not None:
            source, rest = rest[:colon], rest[colon + 1 :]
            if '"' in source:
                raise VarError(f"invalid var '{name}': source must not be quoted")
        segments: list[str] = []
        while True:
            dot = find_unquoted(rest, ".")
            segment, rest = (rest, "") if dot is None else (rest[:dot], rest[dot + 1 :])
            # Trimmed first, so the spaces inside a quoted segment stay; then every quote goes.
            segment = segment.strip().replace('"', "")
            if not segment:
                raise VarError(f"invalid var '{name}': empty field")
            segments.append(segment)
            if dot is None:
                return cls(source, segments[0], tuple(segments[1:]))

    def without_source(self) -> Reference:
        return Reference("", self.path, self.fields)

    def __str__(self) -> str:
        """Reference.String; Go quotes with %q, which json.dumps matches for printable text."""
        segments = ".".join(
            json.dumps(segment, ensure_ascii=False) if NEEDS_QUOTES & set(segment) else segment
            for segment in (self.path, *self.fields)
        )
        return f"{self.source}:{segments}" if self.source else segments


def find_unquoted(text: str, wanted: str) -> int | None:
    """The index of the first ``wanted`` outside double quotes; each quote opens or closes a quoted run."""
    quoted = False
    for index, char in enumerate(text):
        if char == wanted and not quoted:
            return index
        if char == '"':
            quoted = not quoted
    return None


def traverse(value: Any, name: str, fields: tuple[str, ...]) -> Any:
    """Follow each field into a mapping, failing as Concourse does for a missing key or a value that is no mapping."""
    for segment in fields:
        if not isinstance(value, Mapping):
            raise VarError(f"cannot access field '{segment}' of non-map value ('{go_type(value)}') from var: {name}")
        if segment not in value:
            raise VarError(f"missing field '{segment}' in var: {name}")
        value = value[segment]
    return value


def go_type(value: Any) -> str:
    return GO_TYPES.get(type(value), type(value).__name__)


@dataclass
class BuildVars:
    """The vars one build sees: its local vars from load_var, then the credential manager's secrets."""

    credentials: Mapping[str, Any]
    local: dict[str, Any] = field(default_factory=dict)
    # The pipeline's var_sources by name, each with the vars it gives, such as idtoken's token.
    var_sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def get(self, reference: Reference) -> tuple[bool, Any]:
        """Look a var up; whether it was found, and its value."""
        if reference.source == "." and reference.path in self.local:
            return True, traverse(self.local[reference.path], str(reference.without_source()), reference.fields)
        if reference.source in self.var_sources:
            given = self.var_sources[reference.source]
            found = reference.path in given
            return found, traverse(given[reference.path], str(reference), reference.fields) if found else None
        # With no var_sources in the pipeline, the credential manager is asked for the path alone, whatever the
        # source, and names the var with its source in errors.
        if reference.path in self.credentials:
            return True, traverse(self.credentials[reference.path], str(reference), reference.fields)
        return False, None

    def interpolate(self, node: Any) -> Any:
        """Evaluate a step's config as Concourse does before the step runs: every var must be defined."""
        undefined: set[str] = set()
        evaluated = self._interpolate(node, undefined)
        if undefined:
            raise VarError(f"undefined vars: {', '.join(sorted(undefined))}")
        return evaluated

    def _interpolate(self, node: Any, undefined: set[str]) -> Any:
        if isinstance(node, dict):
            return {self._interpolate(key, undefined): self._interpolate(item, undefined) for key, item in node.items()}
        if isinstance(node, list):
            return [self._interpolate(item, undefined) for item in node]
        if not isinstance(node, str):
            return node
        text = node
        for match in REFERENCE.finditer(node):
            name = match.group(1)
            reference = Reference.parse(name)
            found, value = self.get(reference)
            if not found:
                undefined.add(str(reference))
                continue
            # A var that is the whole string keeps its type: a mapping stays a mapping.
            if REFERENCE.fullmatch(node):
                return value
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise VarError(f"cannot interpolate non-primitive value ({go_type(value)}) from var: {name}")
            text = text.replace(f"(({name}))", str(value))
        return text


def load_var(artifacts: Mapping[str, Path], file: str, requested_format: str | None = None) -> Any:
    """Read ``artifact/path`` from the build's artifacts and parse it, as the load_var step does."""
    artifact, slash, relative = file.partition("/")
    if not slash:
        raise VarError(f"file '{file}' does not specify where the file lives")
    file_format = load_var_format(file, requested_format)
    if artifact not in artifacts:
        raise VarError(f"unknown artifact source: '{artifact}' in file path '{relative}'")
    path = artifacts[artifact] / relative
    if not path.is_file():
        raise VarError(f"file '{relative}' not found within artifact '{artifact}'")
    content = path.read_text(encoding="utf-8")
    try:
        if file_format == "json":
            return json.loads(content)
        if file_format in ("yml", "yaml"):
            return yaml.safe_load(content)
    except (ValueError, yaml.YAMLError) as error:
        shown = "yaml" if file_format == "yml" else file_format
        raise VarError(f"failed to parse {file} in format {shown}: {error}") from error
    return content.strip() if file_format == "trim" else content


def load_var_format(file: str, requested: str | None) -> str:
    """The format given, else the file's extension if it names a format, else ``trim``."""
    if requested in LOAD_VAR_FORMATS:
        return requested
    if requested:
        raise VarError(f"invalid format {requested}")
    # Go's filepath.Ext: from the last dot of the last path element.
    _, dot, extension = file.rpartition("/")[2].rpartition(".")
    return extension if dot and extension in LOAD_VAR_FORMATS else "trim"


def redacted_strings(value: Any) -> set[str]:
    """The strings of a loaded var that the build log redacts: the var itself if a string, and strings in mappings.

    The tracker stops at anything else, so nothing inside a list is ever redacted.
    """
    if isinstance(value, str):
        return {value}
    if isinstance(value, Mapping):
        return set().union(*(redacted_strings(item) for item in value.values()))
    return set()
