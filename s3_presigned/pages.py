"""Pages for people: ``index.html`` for a set of download links, ``upload.html`` for an upload form.

Each page is one self-contained file, with no outside script, style or font, so that it works opened from
disk or from an email. Every value is escaped where it is written.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

_PAGE = Path(__file__).parent / "page"
_UNITS = ("bytes", "KB", "MB", "GB", "TB")


def size_text(size: int | None) -> str:
    """Say a size as a person reads it, in powers of 1000: ``1.5 MB``."""
    if size is None:
        return "size unknown"
    amount, unit = float(size), 0
    while amount >= 1000 and unit < len(_UNITS) - 1:  # noqa: PLR2004  # decimal units, as file managers show them
        amount, unit = amount / 1000, unit + 1
    return f"{size} bytes" if unit == 0 else f"{amount:.1f}".removesuffix(".0") + f" {_UNITS[unit]}"


def download_page_start(title: str, expires_at: str) -> str:
    """Begin ``index.html``; its rows follow one by one, so that a thousand links are never held at once.

    :param title: What the links are, such as ``s3://bucket/release/1.2.3/``.
    :param expires_at: When the links stop working, in ISO 8601.
    """
    return (
        _head(f"Downloads: {title}")
        + f"<h1>{html.escape(title)}</h1>\n"
        + f'<p class="note">These links stop working at <time>{html.escape(expires_at)}</time>.</p>\n<ul>\n'
    )


def download_row(name: str, url: str, size: int | None) -> str:
    """One file of ``index.html``: its name as the link, and its size."""
    return (
        f'<li><a href="{html.escape(url)}">{html.escape(name)}</a>'
        f'<span class="size">{html.escape(size_text(size))}</span></li>\n'
    )


DOWNLOAD_PAGE_END = "</ul>\n</body>\n</html>\n"


def upload_page(action: str, form_fields: dict[str, str], limits: str, accept: str | None, expires_at: str) -> str:
    """Render ``upload.html``: one file input and a button that post the file to S3 with the signed form.

    Before it sends, the page checks the size and the type, and says what is wrong at once. It then posts in
    the page itself where the store lets a page read its answers (CORS), and says what S3 answered; otherwise
    the browser posts the form and shows S3's own answer.

    :param action: The form's address.
    :param form_fields: The signed fields, which go first, before the file, as S3 requires.
    :param limits: The limits, as a person reads them, such as ``up to 100 MB``.
    :param accept: The content type, or family such as ``image/*``, the form allows; ``None`` for any.
    :param expires_at: When the form stops working, in ISO 8601.
    """
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">\n'
        for name, value in form_fields.items()
    )
    accept_attribute = f' accept="{html.escape(accept)}"' if accept else ""
    type_line = f", of type {html.escape(accept)}" if accept else ""
    return (
        _head("Upload a file")
        + "<h1>Upload a file</h1>\n"
        + f'<p class="note">One file, {html.escape(limits)}{type_line}. This form stops working at '
        + f"<time>{html.escape(expires_at)}</time>.</p>\n"
        + f'<form id="upload" method="post" action="{html.escape(action)}" enctype="multipart/form-data">\n'
        + hidden
        + f'<input id="file" type="file" name="file" required{accept_attribute}>\n'
        + '<button id="send" type="submit">Upload</button>\n<p id="status" role="status"></p>\n</form>\n'
        + f"<script>\n{_upload_script(accept)}</script>\n</body>\n</html>\n"
    )


def _upload_script(accept: str | None) -> str:
    # The limits the page checks come from the form's own policy, so that the page and S3 agree.
    script = (_PAGE / "upload.js").read_text(encoding="utf-8")
    return f"const accept = {json.dumps(accept)};\n{script}"


def _head(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{html.escape(title)}</title>\n<style>{(_PAGE / 'page.css').read_text(encoding='utf-8')}</style>\n"
        "</head>\n<body>\n"
    )
