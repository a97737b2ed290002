"""Pages for people: ``index.html`` for a set of download links, ``upload.html`` for an upload form.

Each page is one self-contained file, with no outside script, style or font, so that it works opened from
disk or from an email. Every value is escaped where it is written, and every name or text a pipeline, an
uploader or a store chose is drawn as it is: invisible and bidi characters are named, and the text is isolated,
so that it never reorders what follows it. A Content-Security-Policy lets only the page's own script and style
run, by their hashes.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import html
import itertools
import operator
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

from s3_presigned.core import gate

_PAGE = Path(__file__).parent / "page"
_UNITS = ("bytes", "KB", "MB", "GB", "TB")
MAX_QR_CODES = 20  # a QR code for each of the first links: enough for a release, small enough for a phone
# A link with a session token takes some 150 modules a side: at fewer than 3 pixels to a module, as on a
# desktop's screen at 18rem, no camera, nor a decoder of a perfect picture, reads it.
_QR_BORDER, _QR_MODULE_PIXELS, _QR_LEAST_PIXELS = 4, 3, 288
# Characters that draw nothing, or move what is drawn (bidi controls): a name shows them as ⟨U+202E⟩. The
# categories are controls, format characters (bidi, zero-width), unassigned and private use, line and paragraph
# separators, and spaces other than the plain one; the rest are blank letters and selectors Unicode ignores.
_HIDDEN_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"))
_HIDDEN_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)
# Marks that stack on the letter before them: a few are writing (Vietnamese has two, Hebrew three); more draw a
# column over the rows around the name, and are named.
_MARKS = frozenset(("Mn", "Me"))
STACKED_MARKS = 4
# The same characters, for the page's script to mark in the names of the files a person chooses.
_HIDDEN_PATTERN = (
    "/["
    + "".join(rf"\p{{{category}}}" for category in sorted(_HIDDEN_CATEGORIES))
    + "".join(rf"\u{{{low:X}}}-\u{{{high:X}}}" for low, high in _HIDDEN_RANGES)
    + "]/u"
)
# The kind of file a type says, in words; a family's words where the exact type has none of its own.
_KINDS = {
    "application/zip": "a ZIP archive",
    "application/gzip": "a gzip-compressed file",
    "application/x-tar": "a tar archive",
    "application/x-xz": "an xz-compressed file",
    "application/zstd": "a zstd-compressed file",
    "application/pdf": "a PDF document",
    "application/json": "JSON data",
    "application/octet-stream": "binary data",
    "application/vnd.microsoft.portable-executable": "a Windows program",
    "application/vnd.debian.binary-package": "a Debian package",
    "application/x-rpm": "an RPM package",
    "application/x-apple-diskimage": "a macOS disk image",
    "application/x-iso9660-image": "a disc image",
    "text/csv": "a CSV table",
    "text/plain": "plain text",
    "text/html": "a web page",
    "image/png": "a PNG image",
    "image/jpeg": "a JPEG image",
    "image/svg+xml": "an SVG image",
}
_FAMILIES = {"image": "an image", "video": "a video", "audio": "a sound file", "text": "text", "font": "a font"}
_EXTENSIONS = {
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".tgz": "application/gzip",
    ".tar": "application/x-tar",
    ".xz": "application/x-xz",
    ".zst": "application/zstd",
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".exe": "application/vnd.microsoft.portable-executable",
    ".deb": "application/vnd.debian.binary-package",
    ".rpm": "application/x-rpm",
    ".dmg": "application/x-apple-diskimage",
    ".iso": "application/x-iso9660-image",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".mp4": "video/mp4",
    ".mp3": "audio/mpeg",
}


def size_text(size: int | None) -> str:
    """Say a size as a person reads it, in powers of 1000: ``1.5 MB``."""
    if size is None:
        return "size unknown"
    amount, unit = float(size), 0
    while amount >= 1000 and unit < len(_UNITS) - 1:  # noqa: PLR2004  # decimal units, as file managers show them
        amount, unit = amount / 1000, unit + 1
    if unit == 0:
        return "1 byte" if size == 1 else f"{size} bytes"
    return f"{amount:.1f}".removesuffix(".0") + f" {_UNITS[unit]}"


def shown(text: str) -> str:
    """Name each character that draws nothing or reorders text, as ``⟨U+202E⟩``, and keep the rest."""
    return "".join(_code_point(char) if named else char for char, named in _named(text))


def _code_point(char: str) -> str:
    return f"⟨U+{ord(char):04X}⟩"


def _named(text: str) -> Iterator[tuple[str, bool]]:
    """Each character of a text, and whether it is named: it draws nothing, or is a mark stacked past a few."""
    stacked = 0
    for char in text:
        stacked = stacked + 1 if unicodedata.category(char) in _MARKS else 0
        yield char, _hidden(char) or stacked > STACKED_MARKS


def _hidden(char: str) -> bool:
    if char == " ":
        return False
    code = ord(char)
    return unicodedata.category(char) in _HIDDEN_CATEGORIES or any(low <= code <= high for low, high in _HIDDEN_RANGES)


def name_html(text: str) -> str:
    """Draw a name or a text as it is: escaped, its hidden characters named and marked, isolated in ``<bdi>``."""
    # A run of named characters is one mark, so that a text of them stays as small as the page promises.
    parts = (
        f'<span class="cp">{"".join(_code_point(char) for char, _ in run)}</span>'
        if named
        else html.escape("".join(char for char, _ in run))
        for named, run in itertools.groupby(_named(text), key=operator.itemgetter(1))
    )
    return f"<bdi>{''.join(parts)}</bdi>"


def kind_html(content_type: str | None) -> str:
    """Say a type in words, with the exact type beside it: ``an image (<code>image/*</code>)``."""
    if content_type is None:
        return ""
    major = content_type.lower().partition("/")[0]
    words = _KINDS.get(content_type.lower()) or _FAMILIES.get(major)
    exact = f"<code>{html.escape(content_type)}</code>"
    return f"{words} ({exact})" if words else exact


def type_by_name(name: str) -> str | None:
    """Guess the type a file's name says it has, by its extension, where it is a common one."""
    lowered = name.lower()
    return next((kind for extension, kind in _EXTENSIONS.items() if lowered.endswith(extension)), None)


def download_page_start(
    source: str, expires_at: datetime.datetime, title: str | None, message: str | None, *, through: gate.Gate
) -> str:
    """Begin ``index.html``; its rows follow one by one, so that a thousand links are never held at once.

    :param source: Where the links lead, such as ``s3://bucket/release/1.2.3/``.
    :param expires_at: When the links stop working.
    :param title: The pipeline's heading for the page, if any.
    :param message: The pipeline's message under it, if any.
    :param through: The step's gate, which the pipeline's words pass.
    """
    title, message = _pipeline_words(title, message, through)
    heading = title if title is not None else "Files to download"
    return (
        _head(heading, _script("page.js"))
        + _intro(heading, message)
        + _about((("From", name_html(source)), ("Works until", _until(expires_at))))
        + '<p class="note">Each link downloads its file to your device.</p>\n<ul class="files">\n'
    )


def download_row(index: int, name: str, url: str, size: int | None) -> str:
    """One file of ``index.html``: its name as the link, its size and kind, and for the first links a QR code.

    :param index: The row's place on the page, from 0.
    :param name: The name shown, which the download is saved under (the key's last part).
    :param url: The signed link, which downloads the object as an attachment.
    :param size: The object's size in bytes, where known.
    """
    # The step reads no object's type: a key x.pdf may hold a web page, so the kind is said to be its name's.
    kind = kind_html(type_by_name(name))
    kind = f"by its name, {kind}" if kind else ""
    facts = " · ".join(part for part in (html.escape(size_text(size)), kind) if part)
    qr = _qr_code(url, name) if index < MAX_QR_CODES else ""
    return (
        f'<li><div class="file"><a href="{html.escape(url)}" download>{name_html(name)}</a>'
        f'<span class="facts">{facts}</span></div>{qr}</li>\n'
    )


def _script(name: str) -> str:
    return (_PAGE / name).read_text(encoding="utf-8")


DOWNLOAD_PAGE_END = f"</ul>\n</main>\n<script>{_script('page.js')}</script>\n</body>\n</html>\n"


def upload_page(
    action: str,
    form_fields: dict[str, str],
    limits: str,
    accept: str | None,
    expires_at: datetime.datetime,
    title: str | None,
    message: str | None,
    *,
    through: gate.Gate,
) -> str:
    """Render ``upload.html``: a file input and a button that post each file to S3 with the signed form.

    Before it sends, the page checks the size and the type, and says what is wrong at once. It then posts in
    the page itself where the store lets a page read its answers (CORS), with a progress bar and the time
    left, and says what S3 answered in words; otherwise the browser posts the form and shows S3's own answer.

    :param action: The form's address.
    :param form_fields: The signed fields, which go first, before the file, as S3 requires.
    :param limits: The limits, as a person reads them, such as ``up to 100 MB``.
    :param accept: The one content type the form signs; ``None`` where it takes any file, stored as binary data.
    :param expires_at: When the form stops working.
    :param title: The pipeline's heading for the page, if any.
    :param message: The pipeline's message under it, if any.
    :param through: The step's gate, which the pipeline's words pass.
    """
    several = form_fields.get("key", "").endswith("${filename}")
    title, message = _pipeline_words(title, message, through)
    heading = title if title is not None else "Upload files" if several else "Upload a file"
    script = _upload_script()
    return (
        # The page may send to the form's own address and nowhere else.
        _head(heading, script, f"connect-src {_source(action)}; form-action {_source(action)}")
        + _intro(heading, message)
        + _about(_upload_about(action, form_fields.get("key", ""), limits, accept, expires_at))
        + _upload_form(action, form_fields, accept, several=several)
        + '<p id="status" role="status"></p>\n<ul id="sent" class="files"></ul>\n</main>\n'
        + f"<script>{script}</script>\n</body>\n</html>\n"
    )


def _upload_about(
    action: str, key: str, limits: str, accept: str | None, expires_at: datetime.datetime
) -> tuple[tuple[str, str], ...]:
    """Say what the form takes, and where it sends it, until when."""
    several = key.endswith("${filename}")
    where = f"<b>{html.escape(urlsplit(action).netloc)}</b>"
    prefix = key.removesuffix("${filename}")
    under = f", under {name_html(prefix)}" if prefix else ""
    return (
        ("Files", f"any number, each {html.escape(limits)}" if several else f"one, {html.escape(limits)}"),
        ("Type", kind_html(accept) if accept else "any"),
        ("Goes to", f"{where}{under}, each under its own name" if several else f"{where}, as {name_html(key)}"),
        ("Works until", _until(expires_at)),
    )


def _upload_form(action: str, form_fields: dict[str, str], accept: str | None, *, several: bool) -> str:
    """Render the form: the signed fields first, before the file, as S3 requires."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">\n'
        for name, value in form_fields.items()
    )
    accept_attribute = f' accept="{html.escape(accept)}"' if accept else ""
    return (
        f'<form id="upload" method="post" action="{html.escape(action)}" enctype="multipart/form-data">\n'
        + hidden
        + f'<label for="file">Choose {"files" if several else "a file"}</label>\n'
        + f'<input id="file" type="file" name="file" required{" multiple" if several else ""}{accept_attribute}>\n'
        + '<button id="send" type="submit">Upload</button>\n</form>\n'
    )


def _upload_script() -> str:
    """Give the upload page's script, with the patterns of the characters it shows visibly."""
    marks = "/[" + "".join(rf"\p{{{category}}}" for category in sorted(_MARKS)) + "]/u"
    script = f"const hidden = {_HIDDEN_PATTERN}, marks = {marks}, "
    script += f"stacked = {STACKED_MARKS};\n" + _script("upload.js")
    return _script("page.js") + script


def _pipeline_words(title: str | None, message: str | None, through: gate.Gate) -> tuple[str | None, str | None]:
    # Built from a pipeline's ((variables)), they may hold one of its secrets: a stranger reads them as a log.
    def scrubbed(text: str | None) -> str | None:
        return None if text is None else through.scrub(text, limit=gate.DOCUMENT_CHARS)

    return scrubbed(title), scrubbed(message)


def _intro(heading: str, message: str | None) -> str:
    said = "" if message is None else f'<p class="message">{_lines_html(message)}</p>\n'
    return f"<main>\n<h1>{name_html(heading)}</h1>\n{said}"


def _about(facts: tuple[tuple[str, str], ...]) -> str:
    rows = "".join(f"<div><dt>{label}</dt><dd>{value}</dd></div>\n" for label, value in facts)
    return f'<dl class="about">\n{rows}</dl>\n'


def _lines_html(text: str) -> str:
    # A message keeps its line breaks; every other hidden character is named.
    return "<br>\n".join(name_html(line) for line in text.replace("\r\n", "\n").split("\n"))


def _until(moment: datetime.datetime) -> str:
    # In UTC for a reader without script; the page's script says it in the reader's time zone, and how soon.
    utc = moment.astimezone(datetime.UTC)
    instant = utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    words = f"{utc:%A} {utc.day} {utc:%B %Y, %H:%M} UTC"
    return f'<time id="expires" datetime="{instant}" title="{instant}">{words}</time>'


def _qr_code(url: str, name: str) -> str:
    import segno  # noqa: PLC0415  # only a page of download links draws QR codes

    try:
        code = segno.make(url, error="l", micro=False)
    except segno.DataOverflowError:
        return '<p class="qr">Too long for a QR code.</p>'
    label = html.escape(f"QR code of the link to {shown(name)}")
    svg = code.svg_inline(scale=1, border=_QR_BORDER, light="#fff", dark="#000", omitsize=True, svgclass="code")
    # Drawn with a few pixels to a module, however many the link takes; the page's width bounds it.
    width = max(_QR_LEAST_PIXELS, code.symbol_size(scale=_QR_MODULE_PIXELS, border=_QR_BORDER)[0])
    drawn = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" width="{width}" ', 1)
    return f'<details class="qr"><summary>QR code, for a phone</summary>{drawn}</details>'


def _source(address: str) -> str:
    """Name an address as a CSP source: CSP has no IPv6 addresses, so the scheme stands for one of those.

    In a path, a ``;`` would end the directive and a ``,`` the policy: percent-encoded, CSP matches the same path.
    """
    parts = urlsplit(address)
    if parts.hostname is None or ":" in parts.hostname:
        return f"{parts.scheme}:"
    path = quote(parts.path, safe="/%!$&'()*+=:@-._~")
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{path}"


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _head(title: str, script: str, allowed: str = "") -> str:
    style = _script("page.css")
    policy = f"default-src 'none'; script-src {_hash(script)}; style-src {_hash(style)}; base-uri 'none'; " + (
        allowed or "form-action 'none'"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{html.escape(shown(title))}</title>\n<style>{style}</style>\n</head>\n<body>\n"
    )
