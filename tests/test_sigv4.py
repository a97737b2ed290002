"""The batch signer against botocore: byte-identical URLs for any key, override, style and credential."""

from __future__ import annotations

import datetime
import functools
from typing import Any

import botocore.auth
import botocore.session
import pytest
from botocore.config import Config
from hypothesis import given
from hypothesis import strategies as st

from s3_presigned.s3.sigv4 import BatchSigner

FROZEN = datetime.datetime(2026, 3, 4, 5, 6, 7)  # noqa: DTZ001  # botocore signs with a naive UTC time
SECRET = "sEcReT/with+chars/0123456789abcdefABCDEF"
keys = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60)
header_text = st.text(
    st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=("Cs",)), min_size=1, max_size=30
)
overrides = st.fixed_dictionaries(
    {},
    optional={
        "ResponseContentDisposition": header_text,
        "ResponseContentType": header_text,
        "ResponseCacheControl": header_text,
        "ResponseContentLanguage": header_text,
        "ResponseContentEncoding": header_text,
        "ResponseExpires": st.just(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)),
    },
)
SETUPS = (
    {"endpoint_url": "http://127.0.0.1:9000", "style": "path", "token": None, "region": "us-east-1"},
    {"endpoint_url": None, "style": "virtual", "token": "ToKeN/with+chars==", "region": "eu-west-2"},
    {"endpoint_url": None, "style": "path", "token": None, "region": "ap-southeast-2"},
    {"endpoint_url": "https://store.example.com:443", "style": "virtual", "token": None, "region": "auto"},
)
clients = st.sampled_from(range(len(SETUPS)))


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: FROZEN)


@functools.cache
def s3_client(index: int) -> Any:
    setup = SETUPS[index]
    return botocore.session.Session().create_client(
        "s3",
        region_name=setup["region"],
        endpoint_url=setup["endpoint_url"],
        aws_access_key_id="AKIAEXAMPLE",
        aws_secret_access_key=SECRET,
        aws_session_token=setup["token"],
        config=Config(signature_version="s3v4", s3={"addressing_style": setup["style"]}),
    )


@given(
    setup=clients,
    first=keys,
    others=st.lists(keys, min_size=1, max_size=5),
    extra=overrides,
    expires=st.integers(1, 604800),
)
def test_get_urls_are_byte_identical_to_botocore(
    setup: int, first: str, others: list[str], extra: dict[str, Any], expires: int
) -> None:
    client = s3_client(setup)

    def botocore_url(key: str) -> str:
        return str(
            client.generate_presigned_url(
                "get_object", Params={"Bucket": "my-bucket", "Key": key, **extra}, ExpiresIn=expires
            )
        )

    signer = BatchSigner(botocore_url(first), first, "GET", SECRET, {})
    assert signer.agrees
    for key in others:
        assert signer.url(key) == botocore_url(key)


@given(setup=clients, first=keys, others=st.lists(keys, min_size=1, max_size=5), content_type=st.none() | header_text)
def test_put_urls_are_byte_identical_to_botocore(
    setup: int, first: str, others: list[str], content_type: str | None
) -> None:
    client = s3_client(setup)
    extra = {} if content_type is None else {"ContentType": content_type}

    def botocore_url(key: str) -> str:
        return str(
            client.generate_presigned_url("put_object", Params={"Bucket": "b-1", "Key": key, **extra}, ExpiresIn=900)
        )

    headers = {} if content_type is None else {"content-type": content_type}
    signer = BatchSigner(botocore_url(first), first, "PUT", SECRET, headers)
    assert signer.agrees
    for key in others:
        assert signer.url(key) == botocore_url(key)


def test_a_signer_that_cannot_reproduce_botocore_says_so() -> None:
    client = s3_client(1)
    url = client.generate_presigned_url("get_object", Params={"Bucket": "b-1", "Key": "k"}, ExpiresIn=60)
    assert not BatchSigner(url, "k", "GET", "another secret", {}).agrees
    assert not BatchSigner(url, "other key", "GET", SECRET, {}).agrees
