"""The ``check``, ``in`` and ``out`` steps as Concourse runs them, from the request's envelope to the answer."""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from concoursetools import parsing
from concoursetools.additional import DatetimeVersion
from concoursetools.metadata import BuildMetadata

from s3_presigned.config import secret_values
from s3_presigned.errors import ConfigError, ResourceError, describe, one_line

if TYPE_CHECKING:
    from concoursetools.additional import InOnlyConcourseResource

ResourceClass = type["InOnlyConcourseResource"]
_REQUEST_SHAPE = 'expected the JSON object Concourse sends, such as {"source": {"bucket": "..."}}'
_MAX_EPOCH_DIGITS = 11  # up to the year 5138, which datetime can still hold
_TYPO_CUTOFF = 0.8  # close enough to be a typo; below it, difflib pairs unrelated names such as bucket_owner
# Names other tools give these fields, which likeness of spelling alone would miss or mistake.
_KNOWN_NAMES = {
    "aws_access_key_id": "access_key_id",
    "aws_secret_access_key": "secret_access_key",
    "secret_key": "secret_access_key",
    "aws_session_token": "session_token",
    "aws_role_arn": "role_arn",
    "endpoint_url": "endpoint",
    "use_path_style": "addressing_style",
    "ca_cert": "ca_bundle",
    "key": "file_path",
    "path": "file_path",
    "expiry": "expires_in",
    "expiration": "expires_in",
}


# Keys of the s3 resource's source that mean nothing here, with what to do instead.
_S3_RESOURCE_ONLY = (
    dict.fromkeys(
        (
            "private",
            "cloudfront_url",
            "server_side_encryption",
            "sse_kms_key_id",
            "skip_download",
            "disable_multipart",
            "skip_s3_checksums",
            "checksum_algorithm",
        ),
        "is the s3 resource's; this resource never reads or writes an object's bytes, so it has no use for it",
    )
    | dict.fromkeys(
        ("versioned_file", "initial_path", "initial_version", "initial_content_text", "initial_content_binary"),
        "is the s3 resource's; this resource has no versions of its own: give the key as get_params.file_path",
    )
    | {
        "disable_ssl": "is the s3 resource's; here, give an http:// endpoint instead",
        "use_v2_signing": "is the s3 resource's; presigned links here are always signed with SigV4, which S3 requires",
        "enable_aws_creds_provider": "is the s3 resource's; here, the AWS credential chain is used whenever "
        "access_key_id is left out",
    }
)


def run(
    resource_class: ResourceClass,
    step: str,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    argv: Sequence[str],
    environ: Mapping[str, str],
) -> int:
    """Run one step: read the request, act, write the response; on failure write one line to ``stderr``.

    :param resource_class: The resource type.
    :param step: ``check``, ``in`` or ``out``.
    :returns: The exit code.
    """
    # Debug logging from botocore would print signatures and credentials, whatever the caller configured.
    logging.disable(logging.INFO)
    secrets: tuple[str, ...] = ()
    try:
        request = parse_request(stdin.read())
        source = request.get("source")
        secrets = secret_values(source) if isinstance(source, dict) else ()
        with contextlib.redirect_stdout(stderr):
            response = _STEPS[step](resource_class, request, argv, environ)
        _answer(stdout, response)
    except ResourceError as error:
        stderr.write(f"error: {one_line(str(error), secrets + error.secrets)}\n")
        return 1
    except Exception as error:  # noqa: BLE001  # a step reports in one line, never with a traceback
        stderr.write(f"error: unexpected {type(error).__name__}: {one_line(str(error), secrets)}\n")
        return 1
    return 0


def _answer(stdout: TextIO, response: str) -> None:
    """Write the response: until Concourse has it, the step has not succeeded, and a step that fails leaves nothing."""
    try:
        stdout.write(response + "\n")
        stdout.flush()
    except OSError as error:
        raise ResourceError(f"stdout: cannot write the response ({error.strerror or error})") from None


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


def keywords(function: Callable[..., object], skip: int = 0) -> list[str]:
    """List the keyword parameters of a function: for the resource, these are the accepted fields.

    :param function: The resource's ``__init__`` (the ``source`` schema) or ``download_data`` (the params).
    :param skip: How many leading positional parameters, such as ``self``, are not fields.
    """
    return list(inspect.signature(function).parameters)[skip:]


def reject_unknown(section: str, given: Iterable[str], accepted: list[str], elsewhere: Mapping[str, str]) -> None:
    """Fail on the first key that is not accepted: say where it belongs if it belongs elsewhere, else suggest one.

    :param section: ``source`` or ``params``.
    :param given: The keys of the request's mapping.
    :param accepted: The keys the section accepts.
    :param elsewhere: Keys that another section accepts, with where they belong.
    :raises ConfigError: Naming the unknown key.
    """
    for key in given:
        if key in accepted:
            continue
        if key in elsewhere:
            raise ConfigError(f"{section}.{key}", elsewhere[key])
        close = closest(key, accepted)
        hint = f"did you mean {close!r}? " if close else ""
        raise ConfigError(f"{section}.{key}", f"unknown field; {hint}accepted: {', '.join(accepted) or 'none'}")


def closest(key: str, accepted: list[str]) -> str | None:
    """Suggest the accepted field an unknown one was meant to be: a known other name, or a likely typo.

    :param key: The unknown field.
    :param accepted: The fields accepted where it was given.
    """
    known = _KNOWN_NAMES.get(key.lower().replace("-", "_"))
    if known in accepted:
        return known
    import difflib  # noqa: PLC0415  # only a mistake needs it, and every step would pay for it

    close = difflib.get_close_matches(key, accepted, n=1, cutoff=_TYPO_CUTOFF)
    return close[0] if close else None


def reject_missing(section: str, given: Iterable[str], function: Callable[..., object]) -> None:
    """Fail on the first required field that is absent: a parameter of ``function`` without a default.

    :param section: ``source`` or ``params``.
    :param given: The keys of the request's mapping.
    :param function: The function whose signature is the schema.
    """
    present = set(given)
    for name, parameter in inspect.signature(function).parameters.items():
        required = parameter.default is inspect.Parameter.empty and parameter.kind is parameter.KEYWORD_ONLY
        if required and name not in present:
            raise ConfigError(f"{section}.{name}", "required; please specify it")


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
    environ: Mapping[str, str],  # noqa: ARG001  # the same
) -> str:
    _resource(resource_class, request)
    return parsing.format_check_output([])


def _in(
    resource_class: ResourceClass, request: dict[str, object], argv: Sequence[str], environ: Mapping[str, str]
) -> str:
    destination = _directory_argument(argv)
    resource = _resource(resource_class, request)
    version = _version(request.get("version"))
    params = mapping(request.get("params"), "params")
    source_fields = _source_fields(resource_class)
    belongs_in_source = dict.fromkeys(source_fields, "belongs under source, not the put's get_params")
    reject_unknown("params", params, _get_params(resource_class), belongs_in_source)
    version, metadata = resource.download_version(version, destination, _build_metadata(environ), **given(params))
    return parsing.format_in_out_output(version.to_flat_dict(), metadata)


def _out(
    resource_class: ResourceClass, request: dict[str, object], argv: Sequence[str], environ: Mapping[str, str]
) -> str:
    sources = _directory_argument(argv)
    resource = _resource(resource_class, request)
    params = given(mapping(request.get("params"), "params"))
    belongs = dict.fromkeys(
        _source_fields(resource_class), "belongs under source, not the put's params"
    ) | dict.fromkeys(
        _get_params(resource_class),
        "belongs under the put's get_params, not params: the URL is signed by the get that follows the put",
    )
    reject_unknown("params", params, [], belongs)
    version, metadata = resource.publish_new_version(sources, _build_metadata(environ))
    return parsing.format_in_out_output(version.to_flat_dict(), metadata)


_STEPS: dict[str, Callable[[ResourceClass, dict[str, object], Sequence[str], Mapping[str, str]], str]] = {
    "check": _check,
    "in": _in,
    "out": _out,
}


def _resource(resource_class: ResourceClass, request: dict[str, object]) -> InOnlyConcourseResource:
    source = mapping(request.get("source"), "source")
    get_params = _get_params(resource_class)
    elsewhere = (
        _S3_RESOURCE_ONLY
        | {
            name: f"belongs under the put's get_params, as {meant}, not under source"
            for name, meant in _KNOWN_NAMES.items()
            if meant in get_params
        }
        | dict.fromkeys(get_params, "belongs under the put's get_params, not source: it says what to sign")
    )
    reject_unknown("source", source, _source_fields(resource_class), elsewhere)
    reject_missing("source", source, resource_class.__init__)
    return resource_class(**given(source))


def given(section: dict[str, object]) -> dict[str, object]:
    """Leave out the fields set to ``null``: YAML's ``key:`` and ``key: ~`` mean the field is not given."""
    return {name: value for name, value in section.items() if value is not None}


def _source_fields(resource_class: ResourceClass) -> list[str]:
    return keywords(resource_class.__init__, skip=1)


def _get_params(resource_class: ResourceClass) -> list[str]:
    return keywords(resource_class.download_data, skip=3)


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
