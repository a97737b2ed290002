"""What the ``in`` step leaves: files in its destination, none ever half-written, and metadata."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from s3_presigned.errors import ResourceError, first_few
from s3_presigned.expiry import iso8601

if TYPE_CHECKING:
    from s3_presigned.config import GetParams
    from s3_presigned.signing import Signed

_FILE_MODE = 0o644  # as a plain write under the usual umask: tasks that read the files may run as another user


def write_files(destination: Path, files: dict[str, str]) -> None:
    """Write every file to a temporary name first, then rename them all into place.

    If anything fails, everything written so far is removed, so no file is left in the destination.

    :param destination: The step's destination directory.
    :param files: File names mapped to their exact contents.
    :raises ResourceError: If the destination cannot be written.
    """
    staged: list[tuple[str, Path]] = []
    placed: list[Path] = []
    try:
        destination.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            handle, temporary = tempfile.mkstemp(dir=destination, prefix=f".{name}.")
            staged.append((temporary, destination / name))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(content)
            Path(temporary).chmod(_FILE_MODE)
        for temporary, final in staged:
            Path(temporary).replace(final)
            placed.append(final)
    except OSError as error:
        for leftover in [Path(temporary) for temporary, _ in staged] + placed:
            leftover.unlink(missing_ok=True)
        raise ResourceError(f"destination: cannot write {destination}: {error.strerror}") from None


def step_files(params: GetParams, signed: Signed) -> dict[str, str]:
    """Name every file the ``in`` step writes, with its exact contents.

    :param params: The validated get parameters.
    :param signed: The signed URLs.
    """
    files = {"expires_at": iso8601(signed.expires_at), "method": params.method.upper()}
    if params.upload_headers:
        files["headers.json"] = json.dumps(params.upload_headers)
    if params.selection.single:
        files[params.url_file] = signed.objects[0].url
    if params.selection.mode == "regexp":
        files["key"] = signed.objects[0].key
        files["version"] = signed.version or ""
    if params.selection.mode != "file_path":
        files["urls.json"] = json.dumps({item.key: item.url for item in signed.objects}, ensure_ascii=False)
        manifest = [
            {
                "key": item.key,
                "url": item.url,
                "expires_at": files["expires_at"],
                "size": None if item.info is None else item.info.size,
                "etag": None if item.info is None else item.info.etag,
            }
            for item in signed.objects
        ]
        files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=1)
    return files


def step_metadata(bucket: str, params: GetParams, signed: Signed) -> dict[str, str]:
    """Describe the step for the build page: never a URL, only what is safe to store and show.

    :param bucket: The bucket.
    :param params: The validated get parameters.
    :param signed: The signed URLs.
    """
    metadata = {"bucket": bucket, "method": params.method.upper()}
    if params.selection.single:
        metadata["key"] = signed.objects[0].key
    else:
        # Metadata is shown in the UI and stored per build: a count and a few keys, not thousands.
        keys = [item.key for item in signed.objects]
        metadata["count"] = str(len(keys))
        metadata["keys"] = first_few(keys)
    if params.selection.mode == "regexp" and signed.version is not None:
        metadata["version"] = signed.version
    metadata |= {"expires_at": iso8601(signed.expires_at), "expires_in": str(signed.expires_in)}
    if params.upload_headers:
        sent = "; ".join(f"{name}: {value}" for name, value in params.upload_headers.items())
        metadata["required_headers"] = f"the upload must send exactly {sent}"
    info = signed.objects[0].info if params.selection.single and signed.objects else None
    if info is not None:
        metadata |= {"size": str(info.size), "etag": info.etag, "last_modified": iso8601(info.last_modified)}
        if info.content_type is not None:
            metadata["content_type"] = info.content_type
        if info.version_id is not None:
            metadata["version_id"] = info.version_id
    return metadata
