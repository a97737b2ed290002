"""Validation of an upload form's own params (``method: post``): its sizes, its one type, and its key."""

from __future__ import annotations

import re
from collections.abc import Mapping

from s3_presigned.core.text import describe
from s3_presigned.request.fields import PARAMS
from s3_presigned.request.selection import Selection
from s3_presigned.request.values import object_key, parse_size
from s3_presigned.s3.facts import FILENAME
from s3_presigned.s3.policy import Form

_CONTENT_TYPE = re.compile(r"[\w!#$&^.+-]+/(\*|[\w!#$&^.+-]+)", re.ASCII)
# Types whose content a browser runs: pages, XML (which may hold XHTML), SVG, scripts, style sheets that transform,
# archives of pages (MHTML), and the types that say the server does not know, whose content a browser sniffs and
# runs as a page if it reads as one (WHATWG MIME Sniffing's unknown MIME types).
_RUNS_IN_A_BROWSER = re.compile(r"(?i)html|xml|svg|script|xsl|^multipart/|^message/|^(?:unknown|application)/unknown$")


def parse_form(selection: Selection, given: Mapping[str, object]) -> Form:
    """Check what a form takes: its sizes, its type, and the key it writes, which may end in the file's name.

    :param selection: The validated selector.
    :param given: The params, by their own names.
    :raises ConfigError: Naming the first param a form cannot take.
    """
    if PARAMS.max_size.name not in given:
        raise PARAMS.max_size.problem("required with method: post; the largest upload, such as 100MB or 2GiB")
    max_size = parse_size(PARAMS.max_size.get(given), PARAMS.max_size.path, least=1)
    least = PARAMS.min_size.get(given)
    min_size = parse_size(0 if least is None else least, PARAMS.min_size.path, least=0)
    if min_size > max_size:
        raise PARAMS.min_size.problem(f"is {min_size} bytes, more than max_size ({max_size} bytes)")
    content_type = PARAMS.content_type.get(given)
    if content_type is not None:
        _form_type(str(content_type))
    if selection.keys and FILENAME in selection.keys[0]:
        raise PARAMS.file_path.problem(
            f"holds {FILENAME}, which S3 fills in with the uploader's file name; give it as prefix"
        )
    if selection.prefix:  # the uploader's file name follows it, so it must be a key's start that can stand
        object_key(selection.prefix, PARAMS.prefix.path)
    key = selection.keys[0] if selection.keys else selection.prefix + FILENAME
    # Media types are case-insensitive, and browsers send them in lower case; S3's policy compares them exactly.
    return Form(key, max_size, min_size, None if content_type is None else str(content_type).lower())


def _form_type(content_type: str) -> None:
    """Admit only one exact type whose content a browser will not run: what a form takes is served as it came."""
    field = PARAMS.content_type
    if not _CONTENT_TYPE.fullmatch(content_type):
        raise field.problem(f"got {describe(content_type)}; expected one type, such as text/csv or image/png")
    if content_type.endswith("/*"):
        raise field.problem(
            f"got {describe(content_type)}; a form's policy holds a family only by its start, so it would also take "
            f"a list such as {content_type[:-1]}x,text/html, which a browser opens as a page: give one exact type, "
            "such as image/png, or none for application/octet-stream",
        )
    if _RUNS_IN_A_BROWSER.search(content_type):
        raise field.problem(
            f"got {describe(content_type)}, which a browser runs as a page on the store's site; give a type it "
            "will not run, such as text/plain or image/png, or none for application/octet-stream",
        )
