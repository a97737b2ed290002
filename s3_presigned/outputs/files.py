"""What the ``in`` step leaves: files in its destination, none ever half-written, and metadata."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from s3_presigned.core import gate, lifetime
from s3_presigned.core.failures.local import DestinationUnwritable, FileUnreadable, OutputFailure
from s3_presigned.core.text import first_few
from s3_presigned.outputs import pages
from s3_presigned.request import upload_headers
from s3_presigned.request.expiry import iso8601
from s3_presigned.s3.answers import ObjectInfo, ServerField, server_value
from s3_presigned.s3.listing import common_prefix

if TYPE_CHECKING:
    from s3_presigned.request.params import GetParams
    from s3_presigned.s3.policy import Form
    from s3_presigned.s3.signed import Signed

_FILE_MODE = 0o644  # as a plain write under the usual umask: tasks that read the files may run as another user


class StagedFiles:
    """Files written under temporary names in the destination, renamed into place only once all are complete.

    Each is claimed before it exists, staged or placed: a step that fails or is stopped leaves none of them.
    """

    def __init__(self, destination: Path) -> None:
        """Stage files for one destination.

        :param destination: The step's destination directory.
        """
        self._destination = destination
        self._staged: list[tuple[Path, Path]] = []

    def open(self, name: str) -> TextIO:
        """Open a staged file for writing; it appears under ``name`` when every file is complete."""
        self._destination.mkdir(parents=True, exist_ok=True)
        handle, temporary = lifetime.create(self._destination, f".{name}.")
        self._staged.append((temporary, self._destination / name))
        os.fchmod(handle, _FILE_MODE)
        return os.fdopen(handle, "w", encoding="utf-8", newline="")

    def write(self, name: str, content: str) -> None:
        """Stage a file with exactly this content."""
        with self.open(name) as stream:
            stream.write(content)

    def place(self) -> None:
        """Rename every staged file into place."""
        for temporary, final in self._staged:
            lifetime.claim(final)
            temporary.replace(final)
            lifetime.release(temporary)


@contextlib.contextmanager
def staged_files(destination: Path) -> Iterator[StagedFiles]:
    """Stage files, and place them all once the body completes.

    :param destination: The step's destination directory.
    :raises OutputFailure: If the destination cannot be written, or a file the pages are made of cannot be read.
    """
    files = StagedFiles(destination)
    try:
        yield files
        files.place()
    except OSError as error:
        raise _write_failure(destination, error) from None


def _write_failure(destination: Path, error: OSError) -> OutputFailure:
    """Blame the file an error came from: the destination's, unless it names a file elsewhere."""
    named = None if error.filename is None else Path(os.fsdecode(error.filename))
    if named is None or destination in (named, named.parent):
        return DestinationUnwritable(str(error.strerror), str(destination))
    return FileUnreadable(str(error.strerror), str(named))


def write_step_files(destination: Path, bucket: str, params: GetParams, signed: Signed, through: gate.Gate) -> None:
    """Write every file the ``in`` step leaves, signing the links on the way so that none is held for long.

    :param destination: The step's destination directory.
    :param bucket: The bucket, to name on the pages.
    :param params: The validated get parameters.
    :param signed: The signed links.
    :param through: The step's gate, once the links it proves are signed.
    """
    with staged_files(destination) as files:

        def record(name: str, content: str) -> None:
            # Every file but the link files may be shown in a task's log: it holds none of the step's secrets, and
            # says exactly what the store listed, never a rewritten key.
            files.write(name, through.exact(content, f"the file {name}"))

        record("expires_at", iso8601(signed.expires_at))
        record("method", params.method.upper())
        if params.upload_headers:
            files.write("headers.json", _exact_headers(params.upload_headers, through))
        if params.single:
            files.write(params.url_file, signed.first_url)
        if params.form is not None and signed.form_fields is not None:
            _write_form(files, params.form, signed, params, through)
            return
        if params.selection.mode == "regexp":
            record("key", signed.keys[0])
            record("version", signed.version or "")
        if params.selection.mode != "file_path":
            _write_lists(files, bucket, params, signed, through)


def _write_form(files: StagedFiles, form: Form, signed: Signed, params: GetParams, through: gate.Gate) -> None:
    """Write an upload form's signed fields, and ``upload.html``, which posts them."""
    form_fields = signed.form_fields or {}
    files.write("fields.json", json.dumps(form_fields, indent=2))
    limits = _size_range(form.min_size, form.max_size)
    page = pages.upload_page(
        signed.first_url,
        form_fields,
        limits,
        form.content_type,
        signed.expires_at,
        params.title,
        params.message,
        through=through,
    )
    files.write("upload.html", page)


def _write_lists(files: StagedFiles, bucket: str, params: GetParams, signed: Signed, through: gate.Gate) -> None:
    """Write ``urls.json`` and ``manifest.json``, and for downloads ``index.html``, in one pass over the links."""
    with files.open("urls.json") as urls, files.open("manifest.json") as manifest:
        if params.method == "get" and not params.single:
            with files.open("index.html") as page:
                _write_link_lists(urls, manifest, signed, _Page(page, bucket, params, through, _page_prefix(params)))
        else:
            _write_link_lists(urls, manifest, signed, None)


def _exact_headers(headers: dict[str, str], through: gate.Gate) -> str:
    """Write the headers an upload must send exactly: a data file for the uploader, like the link beside it.

    :raises ResourceError: Naming the param whose value holds a secret of the step.
    """
    return json.dumps(
        {
            name: through.exact(value, upload_headers.param_of(name), "take it out of get_params")
            for name, value in headers.items()
        }
    )


class _Page(NamedTuple):
    """Where ``index.html`` goes, and what it names."""

    stream: TextIO
    bucket: str
    params: GetParams
    through: gate.Gate
    prefix: str
    """What every key on the page starts with, which the page's title says once."""


def _page_prefix(params: GetParams) -> str:
    """Find what every key on the page starts with, once for the page: each row names its key without it."""
    selection = params.selection
    shared = selection.prefix if selection.mode == "prefix" else common_prefix(list(selection.keys))
    return shared[: shared.rfind("/") + 1]


def _size_range(least: int, most: int) -> str:
    return f"up to {pages.size_text(most)}" if least == 0 else f"{pages.size_text(least)} to {pages.size_text(most)}"


def _write_link_lists(urls: TextIO, manifest: TextIO, signed: Signed, page: _Page | None) -> None:
    """Stream ``urls.json`` (key to URL), ``manifest.json`` (an entry a line) and ``index.html`` in one pass."""
    expires_at = iso8601(signed.expires_at)
    urls.write("{")
    manifest.write("[")
    if page is not None:
        source = f"s3://{page.bucket}/{page.prefix}"
        params = page.params
        page.stream.write(
            pages.download_page_start(source, signed.expires_at, params.title, params.message, through=page.through)
        )
    for index, link in enumerate(signed.links()):
        separator = "," if index else ""
        urls.write(f"{separator}\n{json.dumps(link.key, ensure_ascii=False)}: {json.dumps(link.url)}")
        size = None if link.info is None else link.info.size
        entry = {
            "key": link.key,
            "url": link.url,
            "expires_at": expires_at,
            "size": size,
            "etag": None if link.info is None else link.info.etag,
        }
        manifest.write(f"{separator}\n{json.dumps(entry, ensure_ascii=False)}")
        if page is not None:
            page.stream.write(pages.download_row(index, link.key.removeprefix(page.prefix), link.url, size))
    urls.write("\n}" if signed.selected else "}")
    manifest.write("\n]" if signed.selected else "]")
    if page is not None:
        page.stream.write(pages.DOWNLOAD_PAGE_END)


def step_metadata(bucket: str, params: GetParams, signed: Signed, through: gate.Gate) -> dict[str, str]:
    """Describe the step for the build page: never a URL, only what is safe to store and show.

    :param bucket: The bucket.
    :param params: The validated get parameters.
    :param signed: The signed URLs.
    :param through: The step's gate, which what S3 said of the object passes.
    """
    metadata = {"bucket": bucket, "region": signed.region, "method": params.method.upper()}
    if params.single:
        metadata["key"] = signed.keys[0]
    else:
        # Metadata is shown in the UI and stored per build: a count and a few keys, not thousands.
        metadata["count"] = str(len(signed.selected))
        metadata["keys"] = first_few(signed.keys)
    if params.selection.mode == "regexp" and signed.version is not None:
        metadata["version"] = signed.version
    metadata |= {"expires_at": iso8601(signed.expires_at), "expires_in": str(signed.expires_in)}
    if params.form is not None:
        metadata["max_size"] = str(params.form.max_size)
        if params.form.min_size:
            metadata["min_size"] = str(params.form.min_size)
        if params.form.content_type is not None:
            metadata["content_type"] = params.form.content_type
    if params.upload_headers:
        # Names alone: the values are in headers.json, for the uploader; the build page need not show them.
        names = ", ".join(params.upload_headers)
        metadata["required_headers"] = f"the upload must send {names}, exactly as headers.json holds them"
    if params.single and signed.selected and (info := signed.first().info) is not None:
        metadata |= _object_metadata(info if isinstance(info, ObjectInfo) else info.as_info(), through)
    return metadata


def _object_metadata(info: ObjectInfo, through: gate.Gate) -> dict[str, str]:
    """Describe what S3 said of the object, leaving out each field it did not say, or said in another shape than S3's.

    A proxy may reflect the request into any header: only a value shaped as S3 shapes the field is kept.
    """

    def kept(field: ServerField, value: str | None) -> str | None:
        # Of S3's shape, and holding nothing the gate would blank, such as a secret's hex: else left out whole.
        shaped = server_value(field, value)
        return shaped if shaped is not None and through.scrub(shaped) == shaped else None

    fields = {
        "size": None if info.size is None else str(info.size),
        "etag": kept("etag", info.etag),
        "last_modified": None if info.last_modified is None else iso8601(info.last_modified),
        "content_type": kept("content_type", info.content_type),
        "version_id": kept("version_id", info.version_id),
        "storage_class": kept("storage_class", info.storage_class),
    }
    return {name: value for name, value in fields.items() if value is not None}
