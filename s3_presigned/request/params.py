"""Validation of the put's ``get_params`` into the record the get signs by, each field named in its error.

Which fields there are, their defaults and where each applies are declared in :mod:`s3_presigned.request.fields`.
"""

from collections.abc import Mapping
from typing import NamedTuple

from s3_presigned.core.text import describe
from s3_presigned.request import fields, upload_headers
from s3_presigned.request.disposition import DISPOSITIONS, content_disposition
from s3_presigned.request.expiry import parse_expires_in
from s3_presigned.request.fields import METHODS, PARAMS, Field, Method, Mode
from s3_presigned.request.form import parse_form
from s3_presigned.request.selection import Selection, parse_max_objects, parse_mode, parse_selection, signs_one
from s3_presigned.request.source import Source
from s3_presigned.request.values import choice, flag, optional_text, text, utf8
from s3_presigned.s3.facts import RESPONSE_CONTENT_DISPOSITION
from s3_presigned.s3.policy import Form

MAX_TITLE, MAX_MESSAGE = 200, 2_000  # a heading and a few lines on a page
MAX_FILE_NAME = 255  # the longest name common file systems store, so the download can be saved under it
# The staged copy of a file is named .NAME.XXXXXXXX until it is complete, and must fit in a name too.
_STAGING_ROOM = 10
OUTPUT_FILES = (
    "expires_at",
    "method",
    "headers.json",
    "urls.json",
    "manifest.json",
    "index.html",
    "fields.json",
    "upload.html",
    "version",
    "key",
)


class GetParams(NamedTuple):
    """The validated parameters of the implicit get that signs the URLs."""

    selection: Selection
    method: Method
    expires_in: int
    overrides: dict[str, str]
    content_type: str | None
    version_id: str | None
    url_file: str
    verify: bool
    allow_shorter_expiry: bool
    allow_empty: bool
    max_objects: int
    form: Form | None = None
    upload_headers: dict[str, str] = {}  # noqa: RUF012  # never changed
    """The headers a ``put`` upload must send exactly as signed, by name as it is sent."""
    title: str | None = None
    message: str | None = None

    @property
    def single(self) -> bool:
        """Whether the step signs exactly one URL, or one form, written to ``url_file``."""
        return signs_one(self.method, self.selection.mode)

    @property
    def downloads_verified(self) -> bool:
        """Whether the step proves download links: each must fetch, so the objects must exist."""
        return self.verify and self.method == "get"

    @property
    def sends_requests(self) -> bool:
        """Whether the step talks to S3: to prove its links, or because it must list to know what to sign."""
        return self.verify or (self.method == "get" and self.selection.mode in ("prefix", "regexp"))


def parse_get_params(source: Source, raw: Mapping[str, object]) -> GetParams:
    """Validate the put's ``get_params``: the names, where each applies, then the values.

    :param source: The validated source.
    :param raw: The request's ``params``.
    :raises ConfigError: Naming the first field that is unknown, misplaced, missing or malformed.
    """
    given = fields.param_fields(raw)
    method = choice(PARAMS.method.value(given), PARAMS.method.path, METHODS)
    mode = parse_mode(given)
    fields.check_applies(given, method, mode)
    limit = parse_max_objects(PARAMS.max_objects.value(given))
    selection = parse_selection(mode, given[mode], source.key_prefix, limit)
    overrides = _overrides(given, method, mode)
    content_type = PARAMS.content_type.get(given)
    if content_type is not None and "*" in str(content_type) and method != "post":
        raise PARAMS.content_type.problem("a family such as image/* applies to upload forms (method: post)")
    _flag(PARAMS.overwrite, given)
    signed_type = None if content_type is None or method != "put" else str(content_type)  # a form signs its own
    upload = upload_headers.parse(given, signed_type, form=method == "post")
    url_file = parse_url_file(PARAMS.url_file.value(given))
    if PARAMS.url_file.name in given and not signs_one(method, mode):
        raise PARAMS.url_file.problem(f"applies when one link is signed; {mode} writes urls.json and manifest.json")
    return GetParams(
        selection=selection,
        method=method,
        expires_in=parse_expires_in(PARAMS.expires_in.value(given)),
        overrides=overrides if method == "get" else {},
        content_type=None if content_type is None else str(content_type),
        version_id=optional_text(PARAMS.version_id.get(given), PARAMS.version_id.path),
        url_file=url_file,
        verify=_flag(PARAMS.verify, given),
        allow_shorter_expiry=_flag(PARAMS.allow_shorter_expiry, given),
        allow_empty=_flag(PARAMS.allow_empty, given),
        max_objects=limit,
        form=parse_form(selection, given)._replace(fields=upload.form_fields) if method == "post" else None,
        upload_headers=upload.headers if method == "put" else {},
        title=_page_text(PARAMS.title, given, method, mode, max_length=MAX_TITLE),
        message=_page_text(PARAMS.message, given, method, mode, max_length=MAX_MESSAGE),
    )


def _flag(field: Field, given: Mapping[str, object]) -> bool:
    return flag(field.value(given), field.path)


def _overrides(given: Mapping[str, object], method: Method, mode: Mode) -> dict[str, str]:
    """Name the response headers a download link overrides: those the params ask for, and how it downloads."""
    overrides: dict[str, str] = {}
    for field in PARAMS:
        if field.response_header is not None and (value := field.get(given)) is not None:
            overrides[field.response_header] = text(value, field.path, max_length=1024)
    file_name, disposition = PARAMS.file_name.get(given), PARAMS.disposition.get(given)
    # One link downloads as a file unless asked otherwise: what an uploader stored is not opened as a page.
    if file_name is not None or disposition is not None or (method == "get" and signs_one(method, mode)):
        chosen = "attachment" if disposition is None else choice(disposition, PARAMS.disposition.path, DISPOSITIONS)
        name = None if file_name is None else text(file_name, PARAMS.file_name.path, max_length=MAX_FILE_NAME)
        overrides[RESPONSE_CONTENT_DISPOSITION] = content_disposition(chosen, name)
    if method == "get" and not signs_one(method, mode):
        # A page's link, or a prefix's, downloads whatever the store serves it as: never a page on the store's origin.
        if disposition == "inline":
            raise PARAMS.disposition.problem(f"applies to one link; the links of {mode} always download")
        overrides.setdefault(RESPONSE_CONTENT_DISPOSITION, "attachment")
    return overrides


def _page_text(field: Field, given: Mapping[str, object], method: Method, mode: Mode, *, max_length: int) -> str | None:
    # Any characters are accepted: the page shows the invisible ones visibly rather than refusing them.
    value = field.get(given)
    if value is None:
        return None
    if method == "get" and signs_one(method, mode):
        raise field.problem(f"applies where a page is written: file_paths or prefix, not {mode}")
    if not isinstance(value, str) or not value.strip():
        raise field.problem(f"got {describe(value)}; expected a non-empty string")
    utf8(value, field.path)
    if len(value) > max_length:
        raise field.problem(f"is {len(value)} characters long; at most {max_length} are accepted")
    return value


def parse_url_file(value: object) -> str:
    """Check that ``url_file`` names a plain file inside the destination.

    :param value: The value from the request.
    """
    field = PARAMS.url_file
    name = text(value, field.path)
    size = len(name.encode("utf-8"))
    if size > MAX_FILE_NAME - _STAGING_ROOM:
        raise field.problem(
            f"is {size} bytes long in UTF-8; at most {MAX_FILE_NAME - _STAGING_ROOM} fit in a file name"
        )
    if name in (".", "..") or "/" in name or "\\" in name:
        raise field.problem(f"got {describe(name)}; expected a plain file name such as url, without / or ..")
    if name in OUTPUT_FILES:
        raise field.problem(f"{name!r} is written by the resource itself; choose another name")
    return name
