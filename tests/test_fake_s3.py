"""The in-memory bucket answers the get as a store does: S3's listing order and pages, and links signed as botocore
signs them, which the batch signer reproduces."""

from __future__ import annotations

import json

from s3_presigned.s3.sigv4 import BatchSigner
from tests.fake_s3 import FakeBucket, fake_source
from tests.support import SECRET_KEY, Runner


def test_the_fake_lists_in_utf8_order_across_pages_and_signs_as_botocore(
    fake_bucket: FakeBucket, over_fake: Runner
) -> None:
    for key in ("a/ü", "a/a b", "a/Z", "a/_", "b/other"):
        fake_bucket.put(key)
    fake_bucket.page = 2
    result = over_fake.get(fake_source(), {"prefix": "a/", "verify": False})
    urls = json.loads(result.file("urls.json"))
    assert list(urls) == ["a/Z", "a/_", "a/a b", "a/ü"]
    assert fake_bucket.pages_served == 2
    signer = BatchSigner(urls["a/Z"], "a/Z", "GET", SECRET_KEY, {})
    assert signer.agrees
    assert {key: signer.url(key) for key in urls} == urls
