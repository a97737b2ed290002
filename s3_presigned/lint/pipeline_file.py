"""Reading a pipeline file for the lint: one YAML document, read as Concourse reads it, within a bound."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

import yaml

# YAML's aliases share a node rather than copy it, but the pipeline is read as if copied, as Concourse reads it:
# a file whose aliases make it stand for more nodes than its own and this many more is refused whole, however
# small it is. A large pipeline without aliases is read as it is.
MAX_NODES = 100_000
PIPELINE_KEYS = ("resource_types", "resources", "jobs")


class RefusedError(Exception):
    """A file that is YAML but cannot be linted as a whole: it is refused in one line, before anything is checked."""


def load(stream: TextIO | str, name: str | None = None) -> object:
    """Read one YAML document, refusing it whole if its aliases add more than :data:`MAX_NODES` nodes to it.

    :param name: The file's name, for YAML's errors to say where they are; a file's own by default.
    :raises RefusedError: If it is too large once its aliases are counted as copies.
    :raises yaml.YAMLError: If it is not one YAML document.
    """
    loader = yaml.SafeLoader(stream)
    if name is not None:
        loader.name = name
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        own = _own_size(node)
        if _expanded_size(node, own + MAX_NODES) > own + MAX_NODES:
            raise RefusedError(
                f"its aliases expand it by more than {MAX_NODES:,} YAML nodes, more than any pipeline needs"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _own_size(root: yaml.Node) -> int:
    """Count the nodes a document holds itself, each shared node once."""
    seen = {id(root)}
    waiting = [root]
    while waiting:
        for child in _children(waiting.pop()):
            if id(child) not in seen:
                seen.add(id(child))
                waiting.append(child)
    return len(seen)


def _expanded_size(root: yaml.Node, cap: int) -> int:
    """Count the nodes a document stands for with every alias copied out, once per shared node, up to ``cap + 1``."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        sizes[id(node)] = cap + 1  # a node that holds itself stands for no end of nodes
        sizes[id(node)] = min(1 + sum(size(child) for child in _children(node)), cap + 1)
        return sizes[id(node)]

    return size(root)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def is_pipeline(pipeline: object) -> bool:
    """Whether what a file holds has a pipeline's keys."""
    return isinstance(pipeline, Mapping) and any(key in pipeline for key in PIPELINE_KEYS)


def read(path: str, stdin: TextIO) -> str:
    """Read a named file, or stdin for ``-``."""
    if path == "-":
        return stdin.read()
    with open(path, encoding="utf-8") as file:  # noqa: PTH123  # one read of a named file
        return file.read()


def not_a_pipeline(error: Exception, text: str) -> bool:
    """Whether YAML that cannot be read is no pipeline at all: a stream of documents, or tags of another tool.

    Such a file is a pipeline all the same if its first document has a pipeline's keys, and is then told of.
    """
    single = "expected a single document in the stream"
    if not isinstance(error, yaml.constructor.ConstructorError) and not (
        isinstance(error, yaml.composer.ComposerError) and error.context == single
    ):
        return False
    first = next(yaml.compose_all(text, Loader=yaml.SafeLoader), None)  # nodes, with no tag read
    return not (isinstance(first, yaml.MappingNode) and any(key.value in PIPELINE_KEYS for key, _ in first.value))
