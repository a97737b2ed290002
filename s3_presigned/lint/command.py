"""Check a pipeline's use of this resource type before ``set-pipeline``, with the resource's own validation.

``s3-presigned-lint FILE...`` (``-`` for stdin, as ``/opt/resource/lint`` reads it) prints one line per problem,
naming its place in the pipeline, then a summary; it exits 1 if there is any problem, and 2 if a file cannot be
read. A ``((var))`` is unknown until Concourse fills it in, so a field that holds one is checked with the field's
own example in its place, and no problem is told of it that its value could cure.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import TextIO

import yaml

from s3_presigned.core.failures.base import ConfigError
from s3_presigned.lint.pipeline_file import RefusedError, is_pipeline, load, not_a_pipeline, read
from s3_presigned.request import fields
from s3_presigned.request.fields import METHODS, MODES
from s3_presigned.request.params import parse_get_params
from s3_presigned.request.source import Source, parse_source

TYPE_NAME = "s3-presigned-url"
_VAR = re.compile(r"\(\([^()]*\)\)")
# Steps that hold other steps, and the hooks that any step may hold.
_NESTED = ("do", "in_parallel", "aggregate", "try")
_HOOKS = ("on_success", "on_failure", "on_abort", "on_error", "ensure")
_NO_SOURCE = parse_source({"bucket": "bucket"})
# Each section's names, aliases included, and the field each stands for.
_SOURCE_NAMES = {name: field for field in fields.SOURCE for name in (field.name, *field.aliases)}
_PARAM_NAMES = {name: field for field in fields.PARAMS for name in (field.name, *field.aliases)}
_SHOWN_NAME = 64  # an unknown name is shown cut to this many characters, as fields.py cuts it
_USAGE = """\
Check each pipeline's use of the s3-presigned-url resource type, with the resource's own validation.

Every problem is one line: the file, the resource or the job and step, the field, and what is accepted.
A ((var)) is unknown until Concourse fills it in: it is checked as a valid value of its field.

exit status: 0 when every file is clean, 1 when any has a problem, 2 when any cannot be read.
"""


def problems(pipeline: object) -> Iterator[str]:
    """Yield one line for each misuse of this resource type in a pipeline: where, which field, and what is wrong.

    :param pipeline: The pipeline, as YAML loads it.
    """
    if not isinstance(pipeline, Mapping):
        yield "the pipeline: expected a mapping with resource_types, resources and jobs"
        return
    defaults: dict[str, object] = {TYPE_NAME: None}
    for kind in _items(pipeline.get("resource_types")):
        if _is_this_type(kind) and "name" in kind:
            defaults[str(kind["name"])] = kind.get("defaults")
            if not (kind.get("defaults") is None or isinstance(kind.get("defaults"), Mapping | str)):
                yield f"resource type {kind['name']}: defaults: expected a mapping"
    sources: dict[str, Source] = {}
    for resource in _items(pipeline.get("resources")):
        kind_name = str(resource.get("type"))
        if kind_name not in defaults:
            continue
        name = str(resource.get("name"))
        found, sources[name] = _source_problems(defaults[kind_name], resource.get("source"))
        yield from (f"resource {name}: {problem}" for problem in found)
    for job in _items(pipeline.get("jobs")):
        # A job's own hooks hold steps as a step's do.
        for step in _steps([job.get("plan") and {"do": job.get("plan")}, *(job.get(hook) for hook in _HOOKS)]):
            yield from _step_problems(str(job.get("name")), step, sources)


def _source_problems(defaults: object, own: object) -> tuple[list[str], Source]:
    """Check a resource's source, merged with its type's defaults as Concourse merges them: its own keys win."""
    if any(isinstance(given, str) and _holds_var(given) for given in (own, defaults)):
        return [], _NO_SOURCE  # a whole source from a var is unknown
    try:
        section = {
            **_mapping(defaults if isinstance(defaults, Mapping) else None, "defaults"),
            **_mapping(own, "source"),
        }
    except ConfigError as error:
        return [str(error)], _NO_SOURCE
    found, parsed = _every_problem(parse_source, section, _SOURCE_NAMES)
    return [str(error) for error in found], parsed if isinstance(parsed, Source) else _NO_SOURCE


def _step_problems(job: str, step: Mapping[str, object], sources: Mapping[str, Source]) -> Iterator[str]:
    for verb in ("put", "get"):
        name = step.get(verb)
        resource = str(step.get("resource", name))
        if name is None or resource not in sources:
            continue
        place = f"job {job}, step {verb}: {name}"
        if verb == "get":
            yield f"{place}: this resource has no versions to get; use put with get_params, as its README shows"
            continue
        for section, check, names in (
            ("params", fields.reject_put_params, {}),
            ("get_params", partial(parse_get_params, sources[resource]), _PARAM_NAMES),
        ):
            given = step.get(section)
            if isinstance(given, str) and _holds_var(given):
                continue  # a whole section from a var is unknown
            try:
                found, _ = _every_problem(check, _mapping(given, section), names)
            except ConfigError as unreadable:
                found = [unreadable]
            for problem in found:
                # The checks name the get's own params, which Concourse hands the get as params.
                own = section == "get_params" and problem.field.startswith("params")
                shown = f"{section}{problem.field.removeprefix('params')}" if own else problem.field
                yield f"{place}: {shown}{str(problem).removeprefix(problem.field)}"


def _every_problem(
    check: Callable[[dict[str, object]], object], section: Mapping[str, object], names: Mapping[str, fields.Field]
) -> tuple[list[ConfigError], object]:
    """Validate a section and report every field it fails on, with each ``((var))`` as its field's example.

    A var is unknown, not wrong: a problem counts only if it stands however the vars turn out, as far as the
    check can tell. A method from a var may be any, so its problems are those that stand for every method.

    :param check: The validation, which raises on the first problem it finds.
    :param section: The section as the pipeline gives it.
    :param names: The names the section accepts, aliases included, with the field each stands for.
    :returns: The problems, and what the check made of the section once each was set aside.
    """
    holding = {key for key, value in section.items() if key in names and _holds_var(value)}
    known = {key: names[key].example if key in holding else value for key, value in section.items()}
    # A var may also make valid what its example does not, as a larger max_objects would: a problem counts only
    # if it also stands with the var's field left out. A selector or a method cannot be left out, only tried.
    kept = {key for key in holding if names[key].name in (*MODES, "method")}
    variants = (
        [known, {key: value for key, value in known.items() if key not in holding - kept}] if holding else [known]
    )
    methods = [key for key in kept if names[key].name == "method"]
    if methods:
        variants = [variant | dict.fromkeys(methods, method) for variant in variants for method in METHODS]
    each = [_problems_in(check, variant, holding, names) for variant in variants]
    standing = set.intersection(*({str(error) for error in found} for found, _ in each))
    return [error for error in each[0][0] if str(error) in standing], each[0][1]


def _problems_in(
    check: Callable[[dict[str, object]], object],
    section: dict[str, object],
    holding: set[str],
    names: Mapping[str, fields.Field],
) -> tuple[list[ConfigError], object]:
    """Run the check until it passes, setting aside each field it fails on: its example in its place, else itself."""
    working = dict(section)
    found: list[ConfigError] = []
    told: set[str] = set()
    tried: set[str] = set()
    # Each round sets a field aside for good: its example in its place once, then the field itself.
    for _ in range(2 * (len(working) + len(names)) + 1):
        try:
            return found, check(working)
        except ConfigError as error:
            key = _key_named(error.field, working, names)
            named = names[key].name if key is not None and key in names else key or _base(error.field)
            if key not in holding and named not in told:
                found.append(error)
                told.add(named)
            if key is None:  # a field that is missing: its example stands in, so that the rest is checked
                if named not in names or named in tried:
                    break
                working[named] = names[named].example
                tried.add(named)
            elif key in names and key not in tried and key not in holding:
                working[key] = names[key].example
                tried.add(key)
            elif key in names and key in MODES and not any(other in working for other in MODES if other != key):
                break  # without its selector a step would be told only that it needs one
            else:
                del working[key]
    return found, None


def _base(field: str) -> str:
    """Name the field a problem is about: ``max_size`` for ``params.max_size``, ``tags`` for ``params.tags.team``."""
    return re.split(r"[.\[]", field.split(".", 1)[-1], maxsplit=1)[0]


def _key_named(field: str, section: Mapping[str, object], names: Mapping[str, fields.Field]) -> str | None:
    """Find the key of the section that a problem names: itself, another name for its field, or its cut name."""
    named = field.split(".", 1)[-1]
    base = _base(field)
    for key in section:
        if key in {named, base} or (key in names and names[key].name == base):
            return key
        if len(key) > _SHOWN_NAME and named.startswith(f"{key[:_SHOWN_NAME]}..."):
            return key
    return None


def _is_this_type(kind: Mapping[str, object]) -> bool:
    source = kind.get("source")
    repository = source.get("repository") if isinstance(source, Mapping) else None
    if not isinstance(repository, str):
        return kind.get("name") == TYPE_NAME
    # registry.example.com/team/s3-presigned-url, with a tag or a digest or neither
    image = repository.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    return kind.get("name") == TYPE_NAME or image == TYPE_NAME


def _holds_var(value: object) -> bool:
    if isinstance(value, str):
        return _VAR.search(value) is not None
    if isinstance(value, Mapping):
        return any(_holds_var(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_var(item) for item in value)
    return False


def _mapping(value: object, field: str) -> dict[str, object]:
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="s3-presigned-lint",
        description=_USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    parser.add_argument("files", nargs="*", default=["-"], metavar="FILE", help="a pipeline; - or none: stdin")
    parser.add_argument(
        "--only-pipelines",
        action="store_true",
        help="skip YAML files that are not Concourse pipelines, as a pre-commit hook over every YAML file does",
    )
    parser.add_argument("-h", "--help", action="store_true", help="show this help and exit")
    return parser


class _Tally:
    """What a run found, for its exit status and its summary line."""

    def __init__(self) -> None:
        self.files = self.problems = self.with_problems = self.unreadable = self.skipped = 0

    def summary(self) -> str:
        checked = self.files - self.skipped - self.unreadable
        parts = []
        if self.problems:
            parts.append(f"{_count(self.problems, 'problem')} in {self.with_problems} of {_count(checked, 'file')}")
        elif checked or not self.unreadable:
            parts.append(f"no problems in {_count(checked, 'file')}")
        if self.unreadable:
            parts.append(f"{_count(self.unreadable, 'file')} could not be read")
        if self.skipped:
            what = "a pipeline" if self.skipped == 1 else "pipelines"
            parts.append(f"{_count(self.skipped, 'file')} skipped: not {what}")
        return f"s3-presigned-lint: {'; '.join(parts)}"

    @property
    def code(self) -> int:
        return 2 if self.unreadable else 1 if self.problems else 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Lint the pipelines named in ``argv`` (``-`` or none: stdin); print each problem and a summary.

    :returns: The exit status: 0 clean, 1 with problems, 2 if any file cannot be read.
    """
    argv = sys.argv if argv is None else argv
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    parser = _parser()
    arguments = parser.parse_args(argv[1:])
    if arguments.help:
        parser.print_help(stdout)
        return 0
    tally = _Tally()
    for path in arguments.files:
        _lint(path, tally, arguments.only_pipelines, stdin, stdout)
    stdout.write(tally.summary() + "\n")
    return tally.code


def _lint(path: str, tally: _Tally, only_pipelines: bool, stdin: TextIO, stdout: TextIO) -> None:
    """Lint one file (``-``: stdin), print its problems, and count it."""
    tally.files += 1
    where = "stdin" if path == "-" else path
    text = ""
    try:
        text = read(path, stdin)
        pipeline = load(text, "<stdin>" if path == "-" else path)
        if only_pipelines and not is_pipeline(pipeline):
            tally.skipped += 1
            return
        found = 0
        for line in problems(pipeline):
            stdout.write(f"{where}: {line}\n")
            found += 1
    except (OSError, UnicodeError, yaml.YAMLError, RefusedError) as error:
        if only_pipelines and not_a_pipeline(error, text):
            tally.skipped += 1
            return
        tally.unreadable += 1
        stdout.write(f"{where}: cannot read the pipeline: {' '.join(str(error).split())}\n")
        return
    except RecursionError:
        tally.unreadable += 1
        stdout.write(f"{where}: cannot read the pipeline: it is nested too deeply\n")
        return
    tally.problems += found
    tally.with_problems += bool(found)
