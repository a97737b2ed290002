"""botocore's models, prepared ahead: the same data botocore reads, used only by the versions it was made for."""

from __future__ import annotations

import datetime
import json
import marshal
from collections.abc import Iterator
from pathlib import Path

import botocore
import botocore.auth
import pytest
from botocore.loaders import JSONFileLoader

from s3_presigned.s3.session import SERVICES, ModelFileLoader, new_session, prepare

BOTOCORE_DATA = Path(botocore.__file__).parent / "data"
FROZEN = datetime.datetime(2026, 3, 4, 5, 6, 7)  # noqa: DTZ001  # botocore signs with a naive UTC time


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    directory = tmp_path_factory.mktemp("models") / "prepared"
    return directory, prepare(directory)


def test_every_model_a_client_loads_is_prepared(prepared: tuple[Path, list[Path]]) -> None:
    _, written = prepared
    names = {str(path) for path in written}
    assert {"endpoints.marshal", "partitions.marshal", "sdk-default-configuration.marshal"} <= names
    for service in SERVICES:
        assert any(name.startswith(f"{service}/") and name.endswith("/service-2.marshal") for name in names)
        assert any(name.startswith(f"{service}/") and name.endswith("/endpoint-rule-set-1.marshal") for name in names)


def test_prepared_models_are_botocores_own_data(prepared: tuple[Path, list[Path]]) -> None:
    directory, written = prepared
    botocore_json = JSONFileLoader()
    for relative in written:
        original = botocore_json.load_file(str(BOTOCORE_DATA / str(relative).removesuffix(".marshal")))
        copy = marshal.loads((directory / relative).read_bytes())  # noqa: S302  # written by this test's prepare()
        if str(relative) == "endpoints.marshal":
            # Every partition and region is kept; of the services, those the resource calls, unchanged.
            assert [p["regions"] for p in copy["partitions"]] == [p["regions"] for p in original["partitions"]]
            for kept, full in zip(copy["partitions"], original["partitions"], strict=True):
                assert kept["services"] == {
                    name: full["services"][name] for name in SERVICES if name in full["services"]
                }
            assert "ec2" not in json.dumps(copy["partitions"][0]["services"])
        elif relative.name == "service-2.marshal":
            # The prose of the operations and the shapes is left out, and nothing else.
            prose = {
                (path, value)
                for path, value in _leaves(original)
                if path[0] in ("operations", "shapes") and path[-1] == "documentation"
            }
            assert prose, relative
            assert set(_leaves(copy)) == set(_leaves(original)) - prose, relative
        else:
            assert json.loads(json.dumps(copy)) == json.loads(json.dumps(original)), relative


def _leaves(data: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    """Every value of a model that is not a mapping or a list, with the keys and indexes that lead to it."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, str(index)))
    else:
        yield path, data


def test_a_stale_stamp_means_botocores_own_files(prepared: tuple[Path, list[Path]], tmp_path: Path) -> None:
    directory, _ = prepared
    assert ModelFileLoader(directory).prepared == directory
    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / "STAMP").write_text("botocore 0.0.1, python 2.7, marshal 0\n")
    (stale / "partitions.marshal").write_bytes(marshal.dumps({"planted": True}))
    loader = ModelFileLoader(stale)
    assert loader.prepared is None
    assert "planted" not in (loader.load_file(str(BOTOCORE_DATA / "partitions")) or {})
    assert ModelFileLoader(tmp_path / "missing").prepared is None


def test_only_botocores_own_files_are_replaced(prepared: tuple[Path, list[Path]], tmp_path: Path) -> None:
    directory, _ = prepared
    custom = tmp_path / "models" / "partitions"
    custom.parent.mkdir()
    custom.with_suffix(".json").write_text('{"custom": true}')
    assert ModelFileLoader(directory).load_file(str(custom)) == {"custom": True}


def test_urls_are_byte_identical_with_and_without_prepared_models(
    prepared: tuple[Path, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: FROZEN)
    directory, _ = prepared
    urls = []
    for models in (directory, None):
        client = new_session(models).create_client(
            "s3", region_name="eu-west-2", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret"
        )
        urls.append(client.generate_presigned_url("get_object", Params={"Bucket": "b-1", "Key": "k"}, ExpiresIn=60))
    assert urls[0] == urls[1]
    assert "X-Amz-Credential=AKIDEXAMPLE%2F20260304%2Feu-west-2%2Fs3%2Faws4_request" in urls[0]
