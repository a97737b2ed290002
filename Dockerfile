# The s3-presigned-url resource type: /opt/resource/{check,in,out} on a slim Python.
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.txt .
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/python -m pip install --no-cache-dir --no-deps -r requirements.txt \
    && /opt/venv/bin/python -m pip uninstall --yes pip setuptools
# botocore ships the models of 400-odd services; the resource calls S3 and STS, and its credential
# chain may call SSO, SSO-OIDC and sign-in. The rest is most of the dependency weight.
RUN find /opt/venv/lib/python3*/site-packages/botocore/data -mindepth 1 -maxdepth 1 -type d \
        ! -name s3 ! -name sts ! -name sso ! -name sso-oidc ! -name signin -exec rm -rf {} + \
    && find /opt/venv/lib/python3*/site-packages/botocore/data -name 'examples-1.json' -delete
WORKDIR /opt/resource
COPY s3_presigned/ s3_presigned/
# The scripts import s3_presigned from their own directory; bytecode and botocore's models are prepared now,
# not on every run.
# lint is the s3-presigned-lint command of a pip install, the same entry point:
# docker run -i --rm IMAGE /opt/resource/lint < pipeline.yml
RUN /opt/venv/bin/python -m concoursetools assets /opt/resource -r s3_presigned/resource.py \
        -e /opt/venv/bin/python \
    && printf '#!/opt/venv/bin/python\nimport sys\nfrom s3_presigned.lint import main\nsys.exit(main())\n' \
        > /opt/resource/lint \
    && chmod 755 /opt/resource/lint \
    && /opt/venv/bin/python -m s3_presigned.s3.session \
    && /opt/venv/bin/python -m compileall -q /opt/resource

FROM ${BASE_IMAGE}
# Set by `make image` and by ci/pipeline.yml: the version from s3_presigned/version.py, the commit it was
# built from, and the repository's URL.
ARG VERSION=unknown
ARG REVISION=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="s3-presigned-url" \
      org.opencontainers.image.description="Concourse resource type: time-limited presigned S3 URLs" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0"
# The licence travels with the image, as it asks of every copy.
COPY LICENSE /usr/share/doc/s3-presigned-url/LICENSE
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /opt/resource /opt/resource
