"""Keys and file names of every shape, uploaded, signed and fetched back through the real server."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s3_presigned.core.context import StepContext
from s3_presigned.resource import PresignedUrlResource
from tests.support import BUILD_ENV, S3Server, examples, fetch, parse_disposition

printable = st.characters(exclude_categories=("Cc", "Cs"))
segment = st.text(printable.filter(lambda c: c != "/"), min_size=1, max_size=12).filter(lambda s: s not in {".", ".."})
# rclone stores objects as files, so it cannot hold a leading '/', '//' or '.' segments: those keys are
# checked in the URL itself (test_url_path_decodes_to_exactly_the_key).
keys = st.lists(segment, min_size=1, max_size=3).map("/".join)
_examples = itertools.count()
special = st.sampled_from(
    ["a b.txt", "plus+sign", "q?uery", "hash#tag", "per%cent", "eq=ual", "ti~lde", "😀 emoji", "ünï"]
)


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.one_of(keys, special), name=st.text(printable, min_size=1, max_size=60))
def test_any_key_and_name_round_trip(s3: S3Server, tmp_path: Path, key: str, name: str) -> None:
    # Each example gets a folder of its own: rclone cannot hold both 'a' and 'a/b' as files.
    key = f"roundtrip/{next(_examples)}/{key}"
    body = s3.put(key, f"body of {key!r}".encode())
    resource = PresignedUrlResource(StepContext.of(os.environ), **s3.source())
    metadata = resource.download_data(tmp_path, BUILD_ENV, file_path=key, file_name=name)  # type: ignore[arg-type]
    assert metadata["key"] == key
    status, content, headers = fetch((tmp_path / "url").read_text())
    assert (status, content) == (200, body)
    assert parse_disposition(headers["Content-Disposition"]) == ("attachment", name)
