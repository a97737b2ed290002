"""The wording of every failure, case by case, from what was asked and what S3 answered: no server needed."""

from __future__ import annotations

import pytest

from s3_presigned.core import notices
from s3_presigned.core.failures import base, behaviour, connections, credentials, listings, local, refusals
from s3_presigned.core.failures.base import Asked
from s3_presigned.proof.signatures import unchecked
from s3_presigned.s3 import causes
from s3_presigned.s3.answers import Answer, S3Error
from s3_presigned.s3.connection import Connection
from s3_presigned.s3.shape import ServerText

ASKED = Asked("checking the link to s3://bucket/a.txt", "bucket", "access key AKIA (source)", "http://127.0.0.1:9")


def connection(endpoint: str | None = None) -> Connection:
    """The bucket ``bucket``, at ``endpoint`` or AWS."""
    return Connection("bucket", None, endpoint, "auto", None, None, None, verify_ssl=True)


def answer(status: int, body: bytes = b"<Error/>", **headers: str) -> Answer:
    reasons = {200: "OK", 301: "Moved Permanently", 400: "Bad Request", 403: "Forbidden", 404: "Not Found"}
    reasons[500] = "Internal Server Error"
    return Answer(status, reasons.get(status, ""), headers, body)


def error(code: str, message: str = "", storage_class: str | None = None) -> S3Error:
    return S3Error(code, ServerText(message), None, storage_class)


@pytest.mark.parametrize(
    ("code", "cause"),
    [
        ("SignatureDoesNotMatch", "the secret key of access key AKIA (source) does not match its access key id"),
        ("InvalidAccessKeyId", "S3 does not know the access key id of access key AKIA (source)"),
        ("InvalidToken", "S3 refused the session token of access key AKIA (source)"),
        ("ExpiredToken", "the session token of access key AKIA (source) has expired"),
        ("NoSuchBucket", "the bucket bucket does not exist at http://127.0.0.1:9"),
        ("RequestTimeTooSkewed", "this machine's clock is too far from S3's; set it right, for example with NTP"),
    ],
)
def test_known_codes_name_their_cause(code: str, cause: str) -> None:
    refused = causes.failure(ASKED, answer(403), error(code, "whatever S3 said"))
    assert isinstance(refused, refusals.Refused)
    assert (refused.code, refused.asked, refused.key) == (code, ASKED, None)
    line = str(refused)
    assert line == f"checking the link to s3://bucket/a.txt: {cause} ({code})"


def test_an_unknown_code_quotes_s3_and_an_empty_body_says_so() -> None:
    quoted = causes.failure(ASKED, answer(500), error("SlowDown", "Please reduce your request rate."))
    assert isinstance(quoted, refusals.ServerRefused)
    assert (quoted.answered, quoted.code, quoted.message) == (
        "500 Internal Server Error",
        "SlowDown",
        "Please reduce your request rate.",
    )
    assert isinstance(refusals.WrongSecret(ASKED), base.S3Failure)
    assert causes.failure(ASKED, answer(500, b"  "), error("500")).code is None
    assert str(quoted).endswith("S3 answered 500 Internal Server Error, SlowDown: Please reduce your request rate.")
    assert str(causes.failure(ASKED, answer(500, b"  "), error("500"))).endswith(
        "S3 answered 500 Internal Server Error, no details"
    )
    assert str(causes.failure(ASKED, answer(500), error("Busy"))).endswith(
        "S3 answered 500 Internal Server Error, Busy"
    )


def object_cause(
    key: str, code: str, status: int = 403, *, pays: bool = False, message: str = "", **kw: str
) -> base.S3Failure:
    got = error(code, message, kw.get("storage"))
    return causes.object_failure(ASKED, answer(status), got, key, kw.get("version"), requester_pays=pays)


def object_line(key: str, code: str, status: int = 403, *, pays: bool = False, message: str = "", **kw: str) -> str:
    return str(object_cause(key, code, status, pays=pays, message=message, **kw))


@pytest.mark.parametrize(
    ("code", "status", "kwargs", "cause", "fields"),
    [
        ("NoSuchKey", 404, {}, refusals.MissingObject, {"bucket": "bucket", "key": "f/a.txt"}),
        ("404", 404, {}, refusals.MissingObject, {"key": "f/a.txt"}),
        ("NoSuchVersion", 404, {"version": "v1"}, refusals.NoSuchVersion, {"version_id": "v1"}),
        ("InvalidObjectState", 403, {"storage": "GLACIER"}, refusals.Archived, {"storage_class": "GLACIER"}),
        ("KMS.DisabledException", 400, {}, refusals.KmsDenied, {"code": "KMS.DisabledException"}),
        ("AccessDenied", 403, {"pays": True}, refusals.RequesterPays, {"key": "f/a.txt"}),
        ("AccessDenied", 403, {}, refusals.AccessDenied, {"identity": "access key AKIA (source)"}),
        ("InvalidAccessKeyId", 403, {}, refusals.UnknownAccessKey, {"key": "f/a.txt"}),
        ("InternalError", 500, {}, refusals.ServerRefused, {"code": "InternalError", "key": "f/a.txt"}),
    ],
)
def test_each_refusal_of_a_link_is_its_own_type_with_its_fields(
    code: str, status: int, kwargs: dict[str, object], cause: type[base.S3Failure], fields: dict[str, object]
) -> None:
    refused = object_cause("f/a.txt", code, status, **kwargs)  # type: ignore[arg-type]
    assert type(refused) is cause
    assert {name: getattr(refused, name) for name in fields} == fields


def test_a_missing_object_says_how_to_find_the_key_and_never_to_skip_the_check() -> None:
    line = object_line("folder/a.txt", "NoSuchKey", 404)
    assert line == (
        "s3://bucket/folder/a.txt does not exist; check the key and source.key_prefix, for example with: "
        "aws s3 ls s3://bucket/folder/"
    )
    assert object_line("a.txt", "404", 404).endswith("aws s3 ls s3://bucket/")
    assert "verify" not in line


def test_a_missing_key_with_a_leading_slash_is_told_to_drop_it() -> None:
    line = object_line("/folder/a.txt", "NoSuchKey", 404)
    assert "(it starts with '/': drop it if the object is folder/a.txt)" in line


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (400, "InvalidArgument", 'Object name contains unsupported characters: "/docs/report.pdf"'),
        (403, "AccessDenied", ""),
        (500, "InternalError", "We encountered an internal error."),
    ],
)
def test_any_failure_of_a_key_with_a_leading_slash_is_told_to_drop_it(status: int, code: str, message: str) -> None:
    hint = " (it starts with '/': drop it if the object is docs/report.pdf)"
    assert object_line("/docs/report.pdf", code, status, message=message).endswith(hint)
    assert hint not in object_line("docs/report.pdf", code, status, message=message)


@pytest.mark.parametrize(
    ("code", "kwargs", "expected"),
    [
        ("NoSuchVersion", {"version": "v1"}, "version v1 of s3://bucket/a.txt does not exist"),
        (
            "InvalidObjectState",
            {"storage": "DEEP_ARCHIVE"},
            "s3://bucket/a.txt is archived in DEEP_ARCHIVE and not restored; restore it before sharing it",
        ),
        (
            "InvalidObjectState",
            {},
            "s3://bucket/a.txt is archived in an archive storage class and not restored; restore it before sharing it",
        ),
    ],
)
def test_versions_and_archives(code: str, kwargs: dict[str, str], expected: str) -> None:
    assert object_line("a.txt", code, **kwargs) == expected


def test_denials_name_kms_then_who_pays_then_the_grant() -> None:
    kms = object_line("a.txt", "AccessDenied", message="The ciphertext refers to a KMS key", pays=True)
    assert kms.startswith("s3://bucket/a.txt is encrypted with a KMS key that access key AKIA (source) may not use")
    assert object_line("a.txt", "KMS.DisabledException").startswith("s3://bucket/a.txt is encrypted with a KMS key")
    assert "requester-pays bucket" in object_line("a.txt", "AccessDenied", pays=True)
    plain = object_line("a.txt", "AccessDenied")
    assert plain == (
        "s3://bucket/a.txt: access denied to access key AKIA (source); grant s3:GetObject on it, and s3:ListBucket "
        "on the bucket so that a missing object is reported as missing (AccessDenied)"
    )


def test_other_object_errors_fall_back_to_the_general_wording() -> None:
    assert object_line("a.txt", "InvalidAccessKeyId").endswith("(InvalidAccessKeyId)")


def test_which_refusals_are_checked_for_requester_pays() -> None:
    assert causes.is_denied(error("AccessDenied"))
    assert causes.is_denied(error("KMS.NotFoundException"))
    assert not causes.is_denied(error("NoSuchKey"))
    assert causes.names_kms(error("AccessDenied", "SSE-KMS key"))
    assert not causes.names_kms(error("AccessDenied", "Access Denied"))
    assert causes.is_missing(answer(404), error("404"))
    assert not causes.is_missing(answer(403), error("404"))


@pytest.mark.parametrize(
    ("skew", "cause"),
    [
        (3600.0, "S3's clock is 3600 s ahead of this machine's; set this machine's clock right"),
        (-120.0, "S3's clock is 120 s behind this machine's; set this machine's clock right"),
        (5.0, "the clocks disagree, or expires_in is shorter than the check took"),
        (None, "the clocks disagree, or expires_in is shorter than the check took"),
    ],
)
def test_expired_requests_blame_the_clock_that_is_off(skew: float | None, cause: str) -> None:
    refused = behaviour.ClockRefused("listing s3://bucket/", str(ServerText("Request has expired")), skew)
    assert refused.clock_skew == skew
    line = str(refused)
    assert line == f"listing s3://bucket/: S3 refused the request by its clock (Request has expired): {cause}"


@pytest.mark.parametrize(
    ("message", "expired"),
    [("Request has expired", True), ("Request is not yet valid", True), ("Access Denied", False)],
)
def test_which_messages_refuse_by_the_clock(message: str, expired: bool) -> None:
    assert causes.says_expired(ServerText(message)) is expired


def test_a_link_dead_on_arrival_names_both_numbers() -> None:
    dead = behaviour.DeadOnArrival(4000.4, 3600)
    assert (dead.clock_skew, dead.expires_in) == (4000.4, 3600)
    assert str(dead).startswith(
        "S3's clock is 4000 s ahead of this machine's, so a link that lasts 3600 s has expired by S3's clock"
    )


@pytest.mark.parametrize(
    ("location", "tail"),
    [
        (
            "https://user:pw@bucket.s3.eu-west-2.amazonaws.com/a.txt?X-Amz-Signature=abc",
            (
                "redirecting to https://bucket.s3.eu-west-2.amazonaws.com/a.txt without naming a region; set "
                "source.endpoint to https://bucket.s3.eu-west-2.amazonaws.com"
            ),
        ),
        ("", "redirecting to nowhere without naming a region; set source.endpoint to the store's real address"),
        ("/elsewhere", "redirecting to /elsewhere without naming a region; set source.endpoint to the store's real"),
    ],
)
def test_a_redirect_names_where_and_never_the_query_or_a_password(location: str, tail: str) -> None:
    redirected = causes.redirect("listing s3://bucket/", answer(301, location=location), connection())
    assert redirected.answered == "301 Moved Permanently"
    line = str(redirected)
    assert line.startswith("listing s3://bucket/: S3 answered 301 Moved Permanently, ")
    assert tail in line
    assert "pw" not in line
    assert "Signature" not in line


def test_a_redirect_to_a_host_the_step_does_not_know_shows_it_by_shape() -> None:
    # A server may spell a token in a host's letters and dots, in any encoding: the host is its text.
    token = "FaKeSeSsIoNtOkEn/with+slash/and+plus=="
    hexed = token.encode().hex()
    host = ".".join(hexed[start : start + 32] for start in range(0, len(hexed), 32))
    location = f"http://{host}.example:8080/bucket/a.txt"
    redirected = causes.redirect("listing s3://bucket/", answer(301, location=location), connection())
    assert redirected.origin == ""
    line = str(redirected)
    assert hexed[:32] not in line
    assert line.endswith("set source.endpoint to the store's real address")
    # The hosts the step knows are named as they are: its endpoint's, on another scheme or port, and S3's own.
    for origin, endpoint in [
        ("https://store.example:9443", "http://store.example:9000"),
        ("https://bucket.s3.dualstack.eu-west-2.amazonaws.com", None),
        ("https://s3-fips.us-gov-west-1.amazonaws.com", None),
    ]:
        location = f"{origin}/bucket/a.txt"
        redirected = causes.redirect("listing s3://bucket/", answer(301, location=location), connection(endpoint))
        assert (redirected.origin, redirected.path) == (origin, "/bucket/a.txt")
        line = str(redirected)
        assert line.endswith(f"set source.endpoint to {origin}")


def test_region_moves_and_warnings() -> None:
    assert str(behaviour.MovedTwice("w", "b", ("us-east-1", "eu-west-2", "ap-south-1"))) == (
        "w: S3 named the region ap-south-1 for bucket b, after us-east-1 and eu-west-2; please specify source.region"
    )
    assert notices.region_warning("us-east-1", "b", "eu-west-2") == (
        "warning: source.region is us-east-1, but S3 says bucket b is in eu-west-2; signing for eu-west-2 "
        "(set region: eu-west-2 to save a request)\n"
    )
    assert notices.clock_warning(30) is None
    assert notices.clock_warning(-61) == (
        "warning: the S3 server's clock is 61 s behind this machine's; "
        "the URL's validity window is shifted by as much\n"
    )


def test_listing_lines() -> None:
    asked = ASKED._replace(where="listing s3://bucket/p/")
    assert str(refusals.ListingDenied(asked)) == (
        "listing s3://bucket/p/: access denied to access key AKIA (source): grant s3:ListBucket on bucket"
    )
    assert str(behaviour.PageTooLarge("listing s3://bucket/p/", 32 << 20)) == (
        "listing s3://bucket/p/: a page is larger than 32 MiB: is a proxy in the way?"
    )
    assert str(refusals.MissingKeys("bucket", ["a.txt", "b.txt"])) == (
        "params.file_paths: not in s3://bucket: a.txt, b.txt; check the keys and source.key_prefix"
    )


def test_an_endpoint_that_checks_no_signature_is_named_with_what_it_sent() -> None:
    forged = answer(200, b"<html>", **{"content-type": "text/html"})
    unchecked_here = unchecked("checking the link", forged, "link", "object", "source.endpoint")
    assert (unchecked_here.answered, unchecked_here.content_type) == ("200 OK", "text/html")
    line = str(unchecked_here)
    assert line.startswith("checking the link: the endpoint answered 200 OK with text/html to the link with its")
    assert "it is not S3 serving the object. Is source.endpoint a web console or a proxy?" in line
    warning = notices.unchecked_warning("http://127.0.0.1:4566")
    assert warning.startswith("warning: http://127.0.0.1:4566 served a request whose signature was altered")
    assert warning.count("\n") == 1


def test_set_up_lines_name_the_field_or_the_files() -> None:
    assert base.NoRegion().field == "source.region"
    assert isinstance(base.NoRegion(), base.ConfigError)
    assert str(base.UnreadableAwsConfig("bad profile")) == (
        "AWS config: bad profile; check AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE"
    )


def test_a_store_that_takes_no_forms_or_took_an_altered_one_is_named() -> None:
    line = str(behaviour.FormsNotTaken("checking the upload form", "400 Bad Request", "UnsupportedAlgorithm"))
    assert line == (
        "checking the upload form: the store does not take upload forms (S3's POST policy) as S3 does: it answered "
        "400 Bad Request, UnsupportedAlgorithm; sign an upload link with method: put instead"
    )
    taken = str(behaviour.FormTaken("checking the upload form", "200 OK"))
    assert taken.endswith("(200 OK): it checks neither, so a form's size and type limits would not hold there")
    assert {"AccessDenied", "SignatureDoesNotMatch"} <= causes.FORM_REFUSALS
    assert "InvalidArgument" not in causes.FORM_REFUSALS  # an answer to a malformed form, not to a broken policy


def test_a_store_that_refuses_links_sent_with_the_public_host_is_named() -> None:
    refused = behaviour.PublicHostRefused(
        "checking the link to s3://bucket/a.txt", "https://files.example", "http://store:9000", routed=True
    )
    assert str(refused) == (
        "checking the link to s3://bucket/a.txt: http://store:9000 refused the link signed for https://files.example, "
        "sent with Host: files.example as a proxy that keeps the Host header sends it (SignatureDoesNotMatch), and "
        "takes what is signed for itself: this store cannot serve links through such a proxy; leave public_endpoint out"
    )


ARN = "arn:aws:iam::123456789012:role/r"
STORE = "https://s3.example:443"
LISTED = "listing s3://b/p/: S3 "
PROXY = ": is a proxy in the way?"
DOT = "has a '.' or '..' segment, which browsers and curl remove from a link's path before they fetch it, so no link"
CHAIN = "credentials: the AWS credential chain failed: "


@pytest.mark.parametrize(
    ("failure", "line"),
    [
        (
            listings.KeyOutsidePrefix("s3://b/p/", "q/x", "p/"),
            f"{LISTED}listed 'q/x', outside the prefix 'p/'; nothing is signed from a store that ignores the prefix",
        ),
        (
            listings.KeyRepeated("s3://b/p/", "p/a", 2),
            f"{LISTED}listed 'p/a' twice, on page 2: the store repeats pages",
        ),
        (
            listings.TokenAfterLast("s3://b/p/", 1),
            f"{LISTED}said page 1 was the last but gave a continuation token: the listing may be cut short",
        ),
        (listings.NoToken("s3://b/p/", 1), f"{LISTED}said page 1 was truncated but gave no continuation token"),
        (
            listings.TokenRepeated("s3://b/p/", 3),
            f"{LISTED}gave a continuation token a second time, after 3 pages: the listing would never end",
        ),
        (
            listings.EndlessPages("s3://b/p/", 4, 0),
            "listing s3://b/p/: 4 pages for 0 objects: the listing does not end",
        ),
        (listings.EntryWithoutKey(), f"S3 listed an object without a key{PROXY}"),
        (listings.KeyTooLong(1025), f"S3 listed a key of 1025 bytes, longer than S3 allows{PROXY}"),
        (
            listings.WrongRoot("407 Proxy Authentication Required", "html", "an S3 error"),
            f"S3 answered 407 Proxy Authentication Required with <html>, not an S3 error{PROXY}",
        ),
        (
            listings.DoctypeSent("403 Forbidden"),
            f"S3 answered 403 Forbidden with a DOCTYPE, which S3 never sends{PROXY}",
        ),
        (listings.NotXml("403 Forbidden", "text/html"), f"S3 answered 403 Forbidden with text/html, not S3 XML{PROXY}"),
        (
            listings.BrokenXml("200 OK", "no element found: line 1, column 13").at("listing s3://b/p/"),
            f"listing s3://b/p/: S3 answered 200 OK with broken XML (no element found: line 1, column 13){PROXY}",
        ),
        (connections.NotConnected("http://127.0.0.1:9", 3), "could not connect to http://127.0.0.1:9 after 3 attempts"),
        (
            connections.TooSlow("http://127.0.0.1:9", 2.5, 3),
            "http://127.0.0.1:9 did not answer in full within 2.5 s, 3 attempts",
        ),
        (
            connections.ConnectionClosed("http://127.0.0.1:9", 3).at("checking the link"),
            "checking the link: http://127.0.0.1:9 closed the connection before answering, 3 attempts",
        ),
        (
            connections.ProxyUnreachable(STORE, "http://127.0.0.1:8", "HTTPS_PROXY", 3, "s3.example"),
            (
                "could not connect to the proxy http://127.0.0.1:8 (HTTPS_PROXY) after 3 attempts; check it, or add "
                "s3.example to NO_PROXY"
            ),
        ),
        (
            connections.ProxyFailed(STORE, "http://127.0.0.1:8", "https_proxy", 3, "Tunnel connection failed"),
            f"the proxy http://127.0.0.1:8 (https_proxy) did not reach {STORE} (Tunnel connection failed), 3 attempts",
        ),
        (
            connections.CaBundleUnreadable(STORE, "AWS_CA_BUNDLE", "/etc/ca.pem", exists=False),
            (
                f"TLS with {STORE} could not start: AWS_CA_BUNDLE names /etc/ca.pem, which does not exist; point it at "
                "a PEM file of the CAs to trust, or unset it"
            ),
        ),
        (
            connections.PlainHttp("https://127.0.0.1:9000", "http://127.0.0.1:9000"),
            "https://127.0.0.1:9000 speaks plain HTTP, not TLS; set source.endpoint to http://127.0.0.1:9000",
        ),
        (
            connections.WrongHost(STORE, "hostname mismatch"),
            (
                f"TLS with {STORE} failed (hostname mismatch); the certificate does not name the host in {STORE}; set "
                "source.endpoint to a name it holds"
            ),
        ),
        (
            connections.UntrustedCertificate(STORE, "certificate verify failed", None),
            (
                f"TLS with {STORE} failed (certificate verify failed); set source.ca_bundle to the CA that signed its "
                "certificate"
            ),
        ),
        (
            connections.UntrustedCertificate(STORE, "certificate verify failed", "source.ca_bundle"),
            (
                f"TLS with {STORE} failed (certificate verify failed); the certificate is not signed by the CA in "
                "source.ca_bundle"
            ),
        ),
        (
            credentials.NoCredentials(),
            (
                "credentials: none found; set source.access_key_id and source.secret_access_key, or provide them "
                "through the environment, the AWS config, or an instance or task role"
            ),
        ),
        (credentials.ChainFailed("Error when retrieving credentials"), f"{CHAIN}Error when retrieving credentials"),
        (
            credentials.ProviderAnswerUnreadable("KeyError"),
            (
                f"{CHAIN}a provider's answer could not be read (KeyError); a credential_process must print one JSON "
                'object such as {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "..."}'
            ),
        ),
        (
            credentials.StsRefused(ARN, False, "AccessDenied", "not authorized"),  # noqa: FBT003  # a field's value
            f"assuming role {ARN}: STS answered AccessDenied: not authorized",
        ),
        (
            credentials.StsFailed(ARN, True, "Could not connect"),  # noqa: FBT003  # a field's value
            f"assuming role with the web identity token, {ARN}: Could not connect",
        ),
        (
            credentials.StsCaBundleUnreadable(ARN, False, "ca_bundle in the AWS config", "/x.pem", True),  # noqa: FBT003
            (
                f"assuming role {ARN}: ca_bundle in the AWS config names /x.pem, which cannot be read; point it at a "
                "PEM file of the CAs to trust, or unset it"
            ),
        ),
        (
            credentials.StsUntrusted(ARN, False, "https://sts.example", "certificate verify failed"),  # noqa: FBT003
            (
                f"assuming role {ARN}: TLS with STS at https://sts.example failed (certificate verify failed); STS is "
                "trusted through the system's CAs or AWS_CA_BUNDLE, not source.ca_bundle or skip_ssl_verification"
            ),
        ),
        (
            credentials.NotSts(ARN, False, "http://127.0.0.1:9", "KeyError"),  # noqa: FBT003  # a field's value
            (
                f"assuming role {ARN}: http://127.0.0.1:9 did not answer as STS does (KeyError); is "
                "AWS_ENDPOINT_URL_STS, or a proxy, pointing elsewhere?"
            ),
        ),
        (
            credentials.NoSigningKeys(ARN, True, "https://sts.example"),  # noqa: FBT003  # a field's value
            (
                f"assuming role with the web identity token, {ARN}: https://sts.example answered without credentials "
                "that can sign"
            ),
        ),
        (
            local.NoObjects("bucket", "p/"),
            "params.prefix: no objects under s3://bucket/p/ (set allow_empty: true to accept none)",
        ),
        (local.NoMatch("", "app-(.*).tgz"), "no key under the bucket matches the regexp 'app-(.*).tgz'"),
        (local.NoMatch("builds/", "v(.*)"), "no key under builds/ matches the regexp 'v(.*)'"),
        (local.DotSegmentKey("bucket", "a/../b"), f"s3://bucket/a/../b: the key {DOT} to it would work"),
        (
            local.SigningFailed("bucket", "Parameter validation failed"),
            "signing in s3://bucket: Parameter validation failed",
        ),
        (
            local.UnlistedHeaders(["content-type", "host"], ["host"]),
            "signing: the link signs the headers content-type, host, not host",
        ),
        (local.OneKeyPattern("b.txt"), "an upload form signs one key pattern, not b.txt"),
        (
            local.NotOverNetwork("bucket"),
            "verify: s3://bucket is not a store over the network, which a proof fetches from",
        ),
        (
            local.DestinationUnwritable("Permission denied", "/tmp/out"),
            "destination: cannot write /tmp/out: Permission denied",
        ),
        (
            local.FileUnreadable("Permission denied", "/opt/page.html"),
            "cannot read /opt/page.html, which the resource needs to write its files: Permission denied",
        ),
        (local.StdoutUnwritable("Broken pipe"), "stdout: cannot write the response (Broken pipe)"),
    ],
    ids=lambda value: repr(value) if isinstance(value, base.ResourceError) else "line",
)
def test_each_cause_has_its_line(failure: base.ResourceError, line: str) -> None:
    assert str(failure) == line


def test_causes_are_asked_for_by_family_and_keep_their_type_where_placed() -> None:
    placed = connections.TooSlow("http://127.0.0.1:9", 2.5, 3).at("listing s3://b/")
    assert isinstance(placed, connections.ConnectionFailure)
    assert (placed.places, placed.seconds) == (("listing s3://b/",), 2.5)
    assert isinstance(connections.WrongHost(STORE, "mismatch"), connections.TlsFailure)
    assert isinstance(credentials.NotSts(ARN, False, STORE, "KeyError"), credentials.CredentialsFailure)  # noqa: FBT003
    assert isinstance(listings.KeyTooLong(1025), listings.ListingBroken)
    assert isinstance(listings.NoToken("s3://b/", 1), base.S3Failure)
