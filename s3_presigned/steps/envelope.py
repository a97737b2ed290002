"""The ``check``, ``in`` and ``out`` steps as Concourse runs them, from the request's envelope to the answer."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from concoursetools import parsing
from concoursetools.additional import DatetimeVersion
from concoursetools.metadata import BuildMetadata

from s3_presigned.core import gate
from s3_presigned.core.context import Clock, StepContext, utc_now
from s3_presigned.core.failures.base import ConfigError, ResourceError
from s3_presigned.core.failures.local import StdoutUnwritable
from s3_presigned.core.gate import DOCUMENT_CHARS
from s3_presigned.core.text import LINE_LIMIT, describe, one_line
from s3_presigned.request import fields
from s3_presigned.s3.shape import ServerText

if TYPE_CHECKING:
    from concoursetools.additional import InOnlyConcourseResource


class ResourceClass(Protocol):
    """The resource type: made for one step, from the pipeline's source."""

    def __call__(self, context: StepContext, /, **source: object) -> InOnlyConcourseResource:
        """Validate the source, for a step in ``context``."""
        ...


# A step's answer: for in and out, the version and the metadata; check has none.
Answer = tuple[dict[str, str], dict[str, str]] | None
_REQUEST_SHAPE = 'expected the JSON object Concourse sends, such as {"source": {"bucket": "..."}}'
_MAX_EPOCH_DIGITS = 11  # up to the year 5138, which datetime can still hold


def run(
    resource_class: ResourceClass,
    step: str,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    argv: Sequence[str],
    environ: Mapping[str, str],
    clock: Clock = utc_now,
) -> int:
    """Run one step: read the request, act, write the response; on failure write one line to ``stderr``.

    :param resource_class: The resource type.
    :param step: ``check``, ``in`` or ``out``.
    :param environ: The step's environment, handed down to all that reads it; botocore alone reads the process's.
    :param clock: What the step reads the time from.
    :returns: The exit code.
    """
    # No library prints: botocore's debug logging would show credentials, urllib3's warnings a signed URL.
    logging.disable(logging.CRITICAL)
    context = StepContext.of(environ, clock)
    log = io.StringIO()  # what the step prints for its build log, which leaves through the gate on success
    try:
        request = parse_request(stdin.read())
        if isinstance(source := request.get("source"), dict):
            context.knowledge.remember(*fields.secret_values(source))
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(io.StringIO()):
            answer = _STEPS[step](resource_class, request, argv, context)
        through = context.knowledge.gate()  # once the step is done, it knows every secret it will know
        _answer(stdout, _response(answer, through))
    except ResourceError as error:
        line = str(error)
    except Exception as error:  # noqa: BLE001  # a step reports in one line, never with a traceback
        # Whose text this is, the step's or one a library quoted from a server, is not known: shown by its shape.
        line = f"unexpected {type(error).__name__}: {ServerText(str(error))}"
    else:
        stderr.write(through.scrub(log.getvalue(), limit=DOCUMENT_CHARS))
        return 0
    stderr.write(error_line(line, context.knowledge.gate()))
    return 1


def error_line(message: str, through: gate.Gate) -> str:
    """Word the one line a failed step prints: folded, then through the gate, which cuts it.

    Folded first, a secret wrapped over lines is whole where the gate looks; cut after, none of it is left at the cut.

    :param message: The failure's text: the step's own words, and a server's as :class:`ServerText` shows them.
    :param through: The gate for what the step knows.
    """
    return f"error: {through.scrub(one_line(message), limit=LINE_LIMIT)}\n"


def _response(answer: Answer, through: gate.Gate) -> str:
    """Format the answer for Concourse, each value of the version and the metadata exactly as it is, or none."""
    if answer is None:
        return parsing.format_check_output([])
    version, metadata = (
        {name: through.exact(value, f"the {part_name} field {name}") for name, value in part.items()}
        for part_name, part in zip(("version", "metadata"), answer, strict=True)
    )
    return parsing.format_in_out_output(version, metadata)


def _answer(stdout: TextIO, response: str) -> None:
    """Write the response: until Concourse has it, the step has not succeeded, and a step that fails leaves nothing."""
    try:
        stdout.write(response + "\n")
        stdout.flush()
    except OSError as error:
        raise StdoutUnwritable(error.strerror or str(error)) from None


def exit_process(code: int) -> None:
    """Flush the standard streams and end the process without the interpreter's teardown.

    Tearing down botocore's modules costs a tenth of a second and achieves nothing here: every file the
    step wrote is closed by the time it returns.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a stream that failed has been reported, or cannot be
            stream.flush()
    os._exit(code)


def parse_request(raw: str) -> dict[str, object]:
    """Parse the JSON request from stdin, refusing anything but one JSON object.

    :param raw: Everything read from stdin.
    :raises ConfigError: Naming stdin and what is wrong with it.
    """
    if not raw.strip():
        raise ConfigError("stdin", f"the request is empty; {_REQUEST_SHAPE}")
    try:
        request = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigError(
            "stdin", f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno}); {_REQUEST_SHAPE}"
        ) from None
    except RecursionError:
        raise ConfigError("stdin", f"the JSON is nested too deeply; {_REQUEST_SHAPE}") from None
    except ValueError as error:  # such as an integer of more digits than Python converts
        raise ConfigError("stdin", f"not valid JSON ({error}); {_REQUEST_SHAPE}") from None
    if not isinstance(request, dict):
        raise ConfigError("stdin", f"got {describe(request)}; {_REQUEST_SHAPE}")
    return request


def mapping(value: object, field: str) -> dict[str, object]:
    """Check that a section of the request is a JSON object; ``null`` counts as empty.

    :param value: The section from the request.
    :param field: The name to report in errors.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(field, f"got {describe(value)}; expected a mapping")
    return value


def _check(
    resource_class: ResourceClass,
    request: dict[str, object],
    argv: Sequence[str],  # noqa: ARG001  # every step takes the same inputs
    context: StepContext,
) -> Answer:
    _resource(resource_class, request, context)
    return None


def _in(resource_class: ResourceClass, request: dict[str, object], argv: Sequence[str], context: StepContext) -> Answer:
    destination = _directory_argument(argv)
    resource = _resource(resource_class, request, context)
    version = _version(request.get("version"))
    params = mapping(request.get("params"), "params")
    build = _build_metadata(context.environ)
    version, metadata = resource.download_version(version, destination, build, **params)
    return version.to_flat_dict(), metadata


def _out(
    resource_class: ResourceClass, request: dict[str, object], argv: Sequence[str], context: StepContext
) -> Answer:
    sources = _directory_argument(argv)
    resource = _resource(resource_class, request, context)
    fields.reject_put_params(mapping(request.get("params"), "params"))
    version, metadata = resource.publish_new_version(sources, _build_metadata(context.environ))
    return version.to_flat_dict(), metadata


_STEPS: dict[str, Callable[[ResourceClass, dict[str, object], Sequence[str], StepContext], Answer]] = {
    "check": _check,
    "in": _in,
    "out": _out,
}


def _resource(
    resource_class: ResourceClass, request: dict[str, object], context: StepContext
) -> InOnlyConcourseResource:
    return resource_class(context, **mapping(request.get("source"), "source"))


def _version(value: object) -> DatetimeVersion:
    stamp = value.get("execution_date") if isinstance(value, dict) and len(value) == 1 else None
    if not isinstance(stamp, str) or not (stamp.isascii() and stamp.isdigit()) or len(stamp) > _MAX_EPOCH_DIGITS:
        raise ConfigError(
            "version", f'got {describe(value)}; expected {{"execution_date": "<epoch seconds>"}}, as a put emits'
        )
    return DatetimeVersion.from_flat_dict({"execution_date": stamp})


def _directory_argument(argv: Sequence[str]) -> Path:
    if len(argv) < 2 or not argv[1]:  # noqa: PLR2004  # the program name, then the directory
        raise ConfigError("argv", "expected the step's directory as the first argument, as Concourse passes it")
    return Path(argv[1])


def _build_metadata(environ: Mapping[str, str]) -> BuildMetadata:
    # Concourse always sets these; a local `docker run` may not, and nothing here depends on them.
    return BuildMetadata(
        BUILD_ID=environ.get("BUILD_ID", ""),
        BUILD_TEAM_NAME=environ.get("BUILD_TEAM_NAME", ""),
        ATC_EXTERNAL_URL=environ.get("ATC_EXTERNAL_URL", ""),
        BUILD_NAME=environ.get("BUILD_NAME"),
        BUILD_JOB_NAME=environ.get("BUILD_JOB_NAME"),
        BUILD_PIPELINE_NAME=environ.get("BUILD_PIPELINE_NAME"),
        BUILD_PIPELINE_INSTANCE_VARS=environ.get("BUILD_PIPELINE_INSTANCE_VARS"),
    )
