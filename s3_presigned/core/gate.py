"""The one gate that text passes before it leaves the process: every secret blanked out, in every form.

Design: the text is decoded into parallel *views* (:mod:`s3_presigned.core.views`) (percent-escapes, JSON escapes and
XML character references undone, one layer at a time), each with a map back to the original. Known secrets and
the shapes of what is not known are looked for in every view, and the original span behind each finding is
blanked. Decoding the text, rather than encoding each secret every way it may travel, covers every mix of those
escapes and either case of hex without a list of variants that grows with each new case. Base64 cannot be undone
without knowing where a blob starts, so it is the one form generated per secret: the parts of its encoding fixed
by the secret alone, at each of the three offsets it may have inside a longer blob, standard and URL-safe.

Every scan is linear: the text is cut before it is scanned; secrets are found with :meth:`str.find`, which
CPython runs in C and turns to the two-way algorithm when a search would take more than linear time; the
signatures the step sent, of which there may be thousands, are looked up in a set from runs of hex; and every
pattern here repeats only with a possessive or bounded quantifier, so that no input makes one backtrack.
"""

from __future__ import annotations

import base64
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from typing import Final

from s3_presigned.core.failures.base import HoldsSecret
from s3_presigned.core.views import View, views

MARKER: Final = "[redacted]"
LINE_CHARS: Final = 8 * 1024  # a value, such as one of the metadata; the step's error line is cut shorter
DOCUMENT_CHARS: Final = 256 * 1024  # the build log a step prints, far above its size
# A credential shorter than this, such as LocalStack's "test", cannot be told from data or words: it is not looked
# for, so that it never rewrites a key or blanks a word. The shape of a server's text still hides what it echoes.
SHORT_SECRET: Final = 8
# The longest escape: one character of a secret takes at most this many in the text, and an escape begun just
# before a secret takes at most this many less one of its characters.
_WIDEST_ESCAPE = len("&#1114111;")
_SHORTEST_TAIL = 4  # what an escape leaves of a secret, at the least, for it to be looked for
_SHAPE_REACH = 1024  # how far past the cut a name may stand and still blank a value that began before it

# Form encoding turns a space into +: both are one character when secrets are looked for.
# Space and + alike, as form encoding has them; letters in either case, as a server may change a key's.
_FOLD = str.maketrans(" " + string.ascii_uppercase, "+" + string.ascii_lowercase)

# Names under which signing material travels: SigV4 and SigV2 queries, the Authorization header, POST policies.
# The names under which a request carries its signing: shared with the shapes of what S3 sends.
SIGNING_NAME = r"x-amz-[a-z0-9-]{1,64}+|signature|credential|securitytoken|awsaccesskeyid"
# A name and what joins it to its value: a header's or a JSON key's colon, a query's equals sign. Words that
# prose also uses take the colon only as a quoted key, so that "an altered signature: what answered" stays.
_JOINED = r"[\"']?[ \t]{0,8}+[=:][ \t]{0,8}+[\"']?"
_QUOTED_OR_EQUALS = r"(?:[\"'][ \t]{0,8}+:|[ \t]{0,8}+=)[ \t]{0,8}+[\"']?"
# The shapes of what is secret by its name, scanned only in text that leaves: compiled then, by re's cache, so
# that a step which succeeds quietly, with nothing to scan, never compiles them.
_FIELD = (
    rf"(?i)\bx-amz-[a-z0-9-]{{1,64}}+{_JOINED}[^&\s\"'<>,;]*+"
    rf"|\b(?:signature|credential|securitytoken|awsaccesskeyid){_QUOTED_OR_EQUALS}[^&\s\"'<>,;]*+"
    rf"|\bpolicy{_JOINED}[A-Za-z0-9+/=]{{16,}}+"  # base64 only: "bucket policy: denied" stays
    rf"|\bauthorization{_JOINED}[^\r\n\"'<>]*+"  # every scheme: SigV4, SigV2, a container's token
    rf"|\bname=\"(?:{SIGNING_NAME}|policy)\"\r?\n\r?\n[^\r\n]*+"  # a multipart form field
)
# S3's SignatureDoesNotMatch names what was signed; a server may also echo the query as elements.
_ELEMENT = (
    rf"(?i)<(?:[a-z0-9_-]{{1,32}}+:)?+(?:{SIGNING_NAME}|policy|stringtosign(?:bytes)?|canonicalrequest(?:bytes)?|signatureprovided)>[^<]*+"
    r"(?:</[^<>\s]{1,80}+>)?+"
)
_SIGNATURE_DIGITS = 64  # a SigV4 signature: HMAC-SHA256 in lowercase hex
_ENCODED_SIGNATURES = 64
_SIGNATURE = re.compile(rf"[0-9a-f]{{{_SIGNATURE_DIGITS}}}")
_HEX_RUN = rf"[0-9A-Fa-f]{{{_SIGNATURE_DIGITS},}}+"
_QUERY = r"\?[^\s\"'<>]++"
_SIGNED_QUERY = r"(?i)x-amz-|signature|credential|awsaccesskeyid|securitytoken|policy="
# The pattern AWS documents for its access key ids.
_ACCESS_KEY_ID = r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AROA|AIDA)[A-Z2-7]{16}"
# A password in a web or proxy URL, which may hold a /; an s3:// URL's @ belongs to its key.
_USER_INFO = r"(?i)\b(?:https?|socks[45]h?)://(?P<secret>[^\s@]{1,256}+)@"
_SHAPES = (_FIELD, _ELEMENT, _ACCESS_KEY_ID, _USER_INFO)


# What the environment may hold for botocore's credential chain: the values, and the files that hold tokens.
_SECRET_VARIABLES: Final = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
)
_TOKEN_FILES: Final = ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE")
_TOKEN_FILE_CHARS: Final = 64 * 1024
_ACCESS_KEY_VARIABLE: Final = "AWS_ACCESS_KEY_ID"


class Knowledge:
    """What one step has come to know is secret, as it learns it: the gate for what it knows is built from it.

    A step makes its own, so that nothing one step learnt outlives it or reaches another.
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        """Start knowing only the credentials of the environment.

        :param environ: The step's environment, which may hold credentials for botocore's chain.
        """
        self._environ = environ
        self._learnt: set[str] = set()
        self._identifiers: set[str] = set()
        self._last: tuple[tuple[frozenset[str], frozenset[str]], Gate] | None = None

    def remember(self, *secrets: str | None) -> None:
        """Add values the step has come to know as secret, as it learns them: every later gate blanks them out.

        :param secrets: Keys, tokens, the signatures and policies the step sent; ``None`` and empty values are
            skipped.
        """
        self._learnt.update(secret for secret in secrets if secret)

    def identify(self, *access_keys: str | None) -> None:
        """Add access key ids: blanked in every line as secrets are, but data that names one is written as it is.

        An access key id only names the key: every link the step hands out carries it, so an uploader can name a
        file after it, and refusing such a key would let anyone who holds a link stop the step.

        :param access_keys: The ids of the keys the step signs with; ``None`` and empty values are skipped.
        """
        self._identifiers.update(key for key in access_keys if key)

    def gate(self) -> Gate:
        """Return the gate for what the step knows now: what it has learnt, and the environment's credentials."""
        found = {self._environ.get(name, "") for name in _SECRET_VARIABLES}
        for name in _TOKEN_FILES:
            if path := self._environ.get(name):
                try:
                    with open(path, encoding="utf-8", errors="replace") as token:  # noqa: PTH123  # one bounded read
                        found.add(token.read(_TOKEN_FILE_CHARS).strip())
                except OSError:
                    continue  # a file that cannot be read was not read by the credential chain either
        known = (
            frozenset(self._learnt | found),
            frozenset(self._identifiers | {self._environ.get(_ACCESS_KEY_VARIABLE, "")}),
        )
        # Prepared once for the same secrets: a step asks for the gate as it writes its files, and for its answer.
        if self._last is None or self._last[0] != known:
            self._last = known, Gate(*known)
        return self._last[1]


class Gate:
    """Blank out of any text the step's secrets, in every form they travel in, and whatever looks secret."""

    def __init__(self, secrets: Iterable[str], identifiers: Iterable[str] = ()) -> None:
        """Prepare the forms in which each secret may be found.

        :param secrets: Every value the step knows to be secret: keys, the session token, the signatures it
            sent, container and web-identity tokens, role credentials. Empty values are ignored.
        :param identifiers: Access key ids: blanked as secrets are, but not refused in data (:meth:`exact`).
        """
        ids = set(identifiers)
        known = {secret for secret in {*secrets, *ids} if len(secret) >= SHORT_SECRET}
        self._in_data = Gate(known - ids) if ids & known else self
        # A step may send a signature per object; looked up by shape, any number of them costs one scan.
        self._signatures = {secret for secret in known if _SIGNATURE.fullmatch(secret)}
        others = known - self._signatures
        # A secret that itself holds what reads as an escape, such as %00, is found where the text's escapes are
        # undone, in the same way: undone in the secret too. A form too short to stand alone counts as a word.
        readings = {view.text for secret in others for view in views(secret)}
        # A signature is found in any run of hex by the set above; encoded otherwise, it is looked for as any
        # secret is, for the first few, which hold the link itself: a step proves one link and few others.
        first_signatures = sorted(self._signatures)[:_ENCODED_SIGNATURES]
        encoded = others | set(first_signatures)
        self._anywhere = sorted(
            {reading.translate(_FOLD) for reading in readings if len(reading) >= SHORT_SECRET}
            | {form for secret in encoded if len(secret) >= SHORT_SECRET for form in _encoded_forms(secret)}
            | {form for signature in first_signatures for form in _digest_forms(signature)}
        )
        # Text just before an encoded secret may begin an escape that takes the first characters of its encoding,
        # such as a % that takes two hex digits, or a backslash that takes JSON's: what is left is looked for too,
        # right after a character decoded from an escape, and blanked with it.
        self._tails = sorted(
            {
                form[taken:]
                for form in self._anywhere
                for taken in range(1, min(_WIDEST_ESCAPE, len(form) - _SHORTEST_TAIL + 1))
            }
        )
        longest = max(map(len, known), default=0)
        self._reach = max(longest * _WIDEST_ESCAPE, _SHAPE_REACH)

    def scrub(self, text: str, *, limit: int = LINE_CHARS) -> str:
        """Return the first ``limit`` characters of a text with every secret in them replaced by :data:`MARKER`.

        The text is cut before it is scanned; the scan reaches past the cut by as much as a secret can take,
        so that a secret which begins before the cut is blanked whole, and no part of it is left at the cut.

        :param text: What is about to leave the process.
        :param limit: How many characters of it to keep, such as :data:`LINE_CHARS` or :data:`DOCUMENT_CHARS`.
        """
        if not text:
            return text
        window = text[: limit + self._reach]
        merged: list[list[int]] = []
        for start, end in sorted(self._spans(window)):
            if start >= limit:
                break
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        kept: list[str] = []
        position = 0
        for start, end in merged:
            kept += [window[position:start], MARKER]
            position = end
        kept.append(window[position:limit])
        more = len(text) - max(position, min(limit, len(text)))
        return "".join(kept) + (f"... ({more} more characters)" if more > 0 else "")

    def exact(self, value: str, what: str, remedy: str | None = None) -> str:
        """Return data exactly as it is, if it holds none of the step's secrets; data is never rewritten.

        Only the secrets themselves are looked for, in every form, not the shapes of unknown ones: a key that
        looks like an access key id is still a key, and so is one that names the step's own access key id.

        :param value: Such as a key the store listed, for a file or the metadata.
        :param what: What the value is, for the line that refuses it.
        :param remedy: What to do then, where it is not to rename what the store holds.
        :raises ResourceError: If the value holds a secret.
        """
        if any(next(self._in_data._known(view.text.translate(_FOLD)), None) for view in views(value)):  # noqa: SLF001
            raise HoldsSecret(what) if remedy is None else HoldsSecret(what, remedy)
        return value

    def _spans(self, text: str) -> Iterator[tuple[int, int]]:
        for view in views(text):
            folded = view.text.translate(_FOLD)
            # Shapes are read where the text's own spaces end them; only known secrets are looked for joined.
            taken = self._taken(view, folded) if view.decoded and not view.joined else ()
            shapes = () if view.joined else _shapes(view.text)
            for start, end in (*self._known(folded), *taken, *shapes):
                yield view.original(start, end)

    def _known(self, folded: str) -> Iterator[tuple[int, int]]:
        for needle in self._anywhere:
            for start in _occurrences(folded, needle):
                yield start, start + len(needle)
        if self._signatures:
            yield from self._sent_signatures(folded)

    def _taken(self, view: View, folded: str) -> Iterator[tuple[int, int]]:
        for tail in self._tails:
            for start in _occurrences(folded, tail, overlapping=True):
                if start and view.was_decoded(start - 1):
                    yield start - 1, start + len(tail)

    def _sent_signatures(self, text: str) -> Iterator[tuple[int, int]]:
        for run in re.finditer(_HEX_RUN, text):
            digits = run.group().lower()
            for offset in range(len(digits) - _SIGNATURE_DIGITS + 1):
                if digits[offset : offset + _SIGNATURE_DIGITS] in self._signatures:
                    yield run.start() + offset, run.start() + offset + _SIGNATURE_DIGITS


def _shapes(text: str) -> Iterator[tuple[int, int]]:
    for shape in map(re.compile, _SHAPES):
        for found in shape.finditer(text):
            yield found.span("secret" if "secret" in shape.groupindex else 0)
    for found in re.finditer(_QUERY, text):
        if re.search(_SIGNED_QUERY, found.group()):
            yield found.start() + 1, found.end()  # the ? stays, to show that the link had a query


def _encoded_forms(secret: str) -> set[str]:
    """List the secret's bytes in hex, either case, and the parts of its base64 that stand for it, at each offset."""
    data = secret.encode("utf-8", "surrogatepass")
    forms = {data.hex(), data.hex().upper()}
    for offset in range(3):
        # Character i of the encoding carries bits [6i, 6i + 6): keep those within the secret's own bits.
        encoded = base64.b64encode(bytes(offset) + data).decode("ascii")
        first = -(-8 * offset // 6)
        last = (8 * (offset + len(data))) // 6
        middle = encoded[first:last]
        if len(middle) >= SHORT_SECRET:
            forms.update({middle, middle.translate(_URLSAFE)})
    return {form.translate(_FOLD) for form in forms}


def _digest_forms(signature: str) -> set[str]:
    """List the forms a signature's digest may be written in: its bytes in base64, as byte pairs, as a number."""
    digest = bytes.fromhex(signature)
    encoded = base64.b64encode(digest).decode("ascii").rstrip("=")
    forms = {encoded, encoded.translate(_URLSAFE), " ".join(f"{byte:02x}" for byte in digest), str(int(signature, 16))}
    return {form.translate(_FOLD) for form in forms}


_URLSAFE = str.maketrans("+/", "-_")


def _occurrences(text: str, needle: str, *, overlapping: bool = False) -> Iterator[int]:
    # By default one after another: an occurrence that overlaps one found is broken by its blank, and the text is
    # read once. A word that fails its test may overlap one that passes: those are all looked at, short as they are.
    start = text.find(needle)
    while start >= 0:
        yield start
        start = text.find(needle, start + (1 if overlapping else len(needle)))
