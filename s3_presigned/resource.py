"""The Concourse resource type ``s3-presigned-url``."""

from __future__ import annotations

import gc
import io
import os
import sys
from pathlib import Path

from concoursetools.additional import InOnlyConcourseResource
from concoursetools.metadata import BuildMetadata
from concoursetools.typing import Metadata

from s3_presigned import config, lifetime, steps
from s3_presigned.expiry import DEFAULT_SECONDS


class PresignedUrlResource(InOnlyConcourseResource):
    """Signs time-limited S3 URLs in the get that follows a put, so that no URL is stored in a version."""

    def __init__(
        self,
        *,
        bucket: str | None = None,
        bucket_name: str | None = None,
        region: str | None = None,
        region_name: str | None = None,
        endpoint: str | None = None,
        addressing_style: str = "auto",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session_token: str | None = None,
        role_arn: str | None = None,
        role_session_name: str | None = None,
        external_id: str | None = None,
        key_prefix: str | None = None,
        ca_bundle: str | None = None,
        skip_ssl_verification: bool = False,
    ) -> None:
        """Validate the source; every keyword is a key of the pipeline's ``source``.

        :param bucket: The bucket that holds the objects.
        :param bucket_name: Another name for ``bucket``, as the concoursetools example calls it.
        :param region: The bucket's region; by default the AWS config or environment, or us-east-1 with an endpoint.
        :param region_name: Another name for ``region``, as the s3 resource and the concoursetools example call it.
        :param endpoint: The URL of an S3-compatible store.
        :param addressing_style: ``auto``, ``virtual`` or ``path``.
        :param access_key_id: The access key; by default boto3's credential chain is used.
        :param secret_access_key: The secret key that goes with ``access_key_id``.
        :param session_token: The token of temporary keys.
        :param role_arn: A role to assume through STS before signing.
        :param role_session_name: The session name for ``role_arn``.
        :param external_id: The external ID the role's trust policy requires.
        :param key_prefix: Prepended to every key.
        :param ca_bundle: PEM text of the CA certificates that sign the endpoint's certificate.
        :param skip_ssl_verification: Do not verify the endpoint's certificate.
        """
        super().__init__()
        self.source = config.parse_source(
            {
                "bucket": bucket,
                "bucket_name": bucket_name,
                "region": region,
                "region_name": region_name,
                "endpoint": endpoint,
                "addressing_style": addressing_style,
                "access_key_id": access_key_id,
                "secret_access_key": secret_access_key,
                "session_token": session_token,
                "role_arn": role_arn,
                "role_session_name": role_session_name,
                "external_id": external_id,
                "key_prefix": key_prefix,
                "ca_bundle": ca_bundle,
                "skip_ssl_verification": skip_ssl_verification,
            }
        )

    def download_data(
        self,
        destination_dir: Path,
        build_metadata: BuildMetadata,  # noqa: ARG002  # nothing about the build goes into a URL
        *,
        file_path: str | None = None,
        file_paths: list[str] | None = None,
        prefix: str | None = None,
        regexp: str | None = None,
        method: str = "get",
        expires_in: int | str | dict[str, float] = DEFAULT_SECONDS,
        file_name: str | None = None,
        disposition: str | None = None,
        content_type: str | None = None,
        cache_control: str | None = None,
        content_language: str | None = None,
        content_encoding: str | None = None,
        version_id: str | None = None,
        url_file: str | None = None,
        verify: bool | None = None,
        allow_shorter_expiry: bool = False,
        allow_empty: bool | None = None,
        max_objects: int | None = None,
    ) -> Metadata:
        """Sign the URLs and write them, with their expiry, into the destination.

        :param file_path: One object key, after ``key_prefix``; its URL goes to ``url_file``.
        :param file_paths: A list of keys; their URLs go to ``urls.json`` and ``manifest.json``.
        :param prefix: Every object under this prefix, found with one paginated listing.
        :param regexp: The newest object whose key fully matches, ordered by the first group as a version.
        :param method: ``get`` (download, the default) or ``put`` (upload).
        :param expires_in: Seconds, a duration such as ``24h``, or a mapping such as ``{hours: 24}``.
        :param file_name: The name a browser saves the download under.
        :param disposition: ``attachment`` (the default) or ``inline``.
        :param content_type: The ``Content-Type`` a download is served with, or an upload must send.
        :param cache_control: The ``Cache-Control`` the download is served with.
        :param content_language: The ``Content-Language`` the download is served with.
        :param content_encoding: The ``Content-Encoding`` the download is served with.
        :param version_id: A specific version of the object.
        :param url_file: The name of the file the URL is written to; ``url`` by default.
        :param verify: Prove the link before the step succeeds: fetch a download's first byte, or check the
            region, credentials and bucket of an upload. On by default.
        :param allow_shorter_expiry: Shorten the expiry to that of temporary credentials instead of failing.
        :param allow_empty: Accept a prefix with no objects under it.
        :param max_objects: The most objects ``file_paths`` or ``prefix`` may sign; 1,000 by default.
        :returns: Metadata for the build page; it holds nothing secret.
        """
        # Imported here: check and out never sign, and should not pay for botocore.
        from s3_presigned import outputs, signing  # noqa: PLC0415

        params = config.parse_get_params(
            self.source,
            selectors={"file_path": file_path, "file_paths": file_paths, "prefix": prefix, "regexp": regexp},
            method=method,
            expires_in=expires_in,
            file_name=file_name,
            disposition=disposition,
            content_type=content_type,
            cache_control=cache_control,
            content_language=content_language,
            content_encoding=content_encoding,
            version_id=version_id,
            url_file=url_file,
            verify=verify,
            allow_shorter_expiry=allow_shorter_expiry,
            allow_empty=allow_empty,
            max_objects=max_objects,
        )
        # Warnings wait for success: a step that fails says one line, its cause. The step prints to its log.
        warnings = io.StringIO()
        signed = signing.sign(self.source, params, warnings)
        outputs.write_step_files(destination_dir, params, signed)
        print(warnings.getvalue(), end="")  # noqa: T201  # the step sends stdout to its log
        return outputs.step_metadata(self.source.bucket, params, signed)

    # concoursetools' own mains print a traceback for any error and run the interpreter's teardown; these answer
    # every failure in one line, bound the step's time, and exit as soon as the streams are flushed.
    @classmethod
    def check_main(cls) -> None:
        """Check for new versions: there are none, since every version comes from a put."""
        lifetime.supervise()
        steps.exit_process(steps.run(cls, "check", sys.stdin, sys.stdout, sys.stderr, sys.argv, os.environ))

    @classmethod
    def in_main(cls) -> None:
        """Sign the URL and write it into the destination directory."""
        lifetime.supervise()
        # The step lives for a fraction of a second and makes few reference cycles; the cyclic collector would
        # only walk the millions of objects that importing botocore and loading its models create.
        gc.disable()
        steps.exit_process(steps.run(cls, "in", sys.stdin, sys.stdout, sys.stderr, sys.argv, os.environ))

    @classmethod
    def out_main(cls) -> None:
        """Emit a new placeholder version, so that the get after the put signs a fresh URL."""
        lifetime.supervise()
        steps.exit_process(steps.run(cls, "out", sys.stdin, sys.stdout, sys.stderr, sys.argv, os.environ))
