"""Check a pipeline's use of this resource type before ``set-pipeline``, with the resource's own validation.

``python -m s3_presigned.lint pipeline.yml`` (or ``-`` for stdin, as ``/opt/resource/lint`` reads it) prints one
line per problem, naming its place in the pipeline, and exits 1 if there is any. A ``((var))`` is unknown until
Concourse fills it in, so a field that holds one is checked with the field's own example in its place.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import TextIO

import yaml

from s3_presigned import config, fields
from s3_presigned.errors import ConfigError
from s3_presigned.fields import METHODS

TYPE_NAME = "s3-presigned-url"
_VAR = re.compile(r"\(\([^()]*\)\)")
# Steps that hold other steps, and the hooks that any step may hold.
_NESTED = ("do", "in_parallel", "aggregate", "try")
_HOOKS = ("on_success", "on_failure", "on_abort", "on_error", "ensure")
_NO_SOURCE = config.parse_source({"bucket": "bucket"})


def problems(pipeline: object) -> Iterator[str]:
    """Yield one line for each misuse of this resource type in a pipeline: where, which field, and what is wrong.

    :param pipeline: The pipeline, as YAML loads it.
    """
    if not isinstance(pipeline, Mapping):
        yield "the pipeline: expected a mapping with resource_types, resources and jobs"
        return
    ours = {TYPE_NAME} | {
        str(kind["name"]) for kind in _items(pipeline.get("resource_types")) if _is_this_type(kind) and "name" in kind
    }
    sources: dict[str, config.Source] = {}
    for resource in _items(pipeline.get("resources")):
        if str(resource.get("type")) not in ours:
            continue
        name = str(resource.get("name"))
        sources[name] = _NO_SOURCE
        if _holds_var(resource.get("source")) and isinstance(resource.get("source"), str):
            continue  # a whole source from a var is unknown
        try:
            section = _mapping(resource.get("source"), "source")
            fields.source_fields(section)  # a name is wrong whatever its value
            error = _first_error(config.parse_source, section)
            if error is None:  # the source the params are checked with: with examples, or without the vars
                with contextlib.suppress(ConfigError):
                    sources[name] = config.parse_source(
                        {key: value for key, value in section.items() if not _holds_var(value)}
                    )
                with contextlib.suppress(ConfigError):
                    sources[name] = config.parse_source(_known(section))
        except ConfigError as unreadable:
            error = unreadable
        if error is not None:
            yield f"resource {name}: {error}"
    for job in _items(pipeline.get("jobs")):
        # A job's own hooks hold steps as a step's do.
        for step in _steps([job.get("plan") and {"do": job.get("plan")}, *(job.get(hook) for hook in _HOOKS)]):
            yield from _step_problems(str(job.get("name")), step, sources)


def _step_problems(job: str, step: Mapping[str, object], sources: Mapping[str, config.Source]) -> Iterator[str]:
    for verb in ("put", "get"):
        name = step.get(verb)
        resource = str(step.get("resource", name))
        if name is None or resource not in sources:
            continue
        place = f"job {job}, step {verb}: {name}"
        if verb == "get":
            yield f"{place}: this resource has no versions to get; use put with get_params, as its README shows"
            continue
        source = sources[resource]
        try:
            fields.reject_put_params(_mapping(step.get("params"), "params"))
            error = None
            if not (isinstance(step.get("get_params"), str) and _holds_var(step.get("get_params"))):
                get_params = _mapping(step.get("get_params"), "params")
                fields.param_fields(get_params)  # a name is wrong whatever its value
                error = _first_error(partial(config.parse_get_params, source), get_params)
        except ConfigError as unreadable:
            error = unreadable
        if error is not None:
            yield f"{place}: {error}"


def _first_error(check: Callable[[Mapping[str, object]], object], section: Mapping[str, object]) -> ConfigError | None:
    """Validate a section with each ``((var))`` as its field's example; if that fails, without those fields.

    A var is unknown, not wrong: a problem counts only if it stands however the vars turn out, as far as the
    check can tell, and does not name a field that holds one.
    """
    try:
        check(_known(section))
    except ConfigError as error:
        holding = {name for name, value in section.items() if _holds_var(value)}
        if not holding:
            return error
    else:
        return None
    # A method from a var may be any: the problem counts only if it stands whichever it is.
    known = {name: value for name, value in section.items() if name not in holding}
    standing = None
    for method in METHODS if "method" in holding else (None,):
        try:
            check(known if method is None else known | {"method": method})
        except ConfigError as error:
            if error.field.split(".", 1)[-1].split("[", 1)[0] not in holding:
                standing = standing or error
                continue
        return None
    return standing


def _is_this_type(kind: Mapping[str, object]) -> bool:
    source = kind.get("source")
    repository = source.get("repository") if isinstance(source, Mapping) else None
    if not isinstance(repository, str):
        return kind.get("name") == TYPE_NAME
    # registry.example.com/team/s3-presigned-url, with a tag or a digest or neither
    image = repository.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    return kind.get("name") == TYPE_NAME or image == TYPE_NAME


def _known(section: Mapping[str, object]) -> dict[str, object]:
    """Put each field's example in place of a value that holds a ``((var))``; unknown names stay for the check."""
    return {
        name: fields.BY_NAME[name].example if name in fields.BY_NAME and _holds_var(value) else value
        for name, value in section.items()
    }


def _holds_var(value: object) -> bool:
    if isinstance(value, str):
        return _VAR.search(value) is not None
    if isinstance(value, Mapping):
        return any(_holds_var(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_var(item) for item in value)
    return False


def _mapping(value: object, field: str) -> Mapping[str, object]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(field, "expected a mapping")
    return {str(key): item for key, item in value.items()}


def _items(value: object) -> list[Mapping[str, object]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _steps(plan: object) -> Iterator[Mapping[str, object]]:
    for step in _items(plan):
        yield step
        for nested in _NESTED:
            inner = step.get(nested)
            if isinstance(inner, Mapping):  # in_parallel: {steps: [...]}, or try: {one step}
                inner = inner.get("steps", [inner])
            yield from _steps(inner)
        for hook in _HOOKS:
            yield from _steps([step.get(hook)])


def main(argv: Sequence[str] = sys.argv, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Lint the pipeline named in ``argv`` (``-`` or none: stdin); print each problem; return the exit code."""
    path = argv[1] if len(argv) > 1 else "-"
    where = "stdin" if path == "-" else path
    try:
        if path == "-":
            pipeline = yaml.safe_load(stdin)
        else:
            with open(path, encoding="utf-8") as file:  # noqa: PTH123  # one read of a named file
                pipeline = yaml.safe_load(file)
        found = list(problems(pipeline))
    except (OSError, UnicodeError, yaml.YAMLError) as error:
        stdout.write(f"{where}: cannot read the pipeline: {' '.join(str(error).split())}\n")
        return 2
    except RecursionError:
        stdout.write(f"{where}: cannot read the pipeline: it is nested too deeply\n")
        return 2
    stdout.writelines(f"{where}: {line}\n" for line in found)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
