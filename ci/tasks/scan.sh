#!/bin/sh
# Fails on any HIGH or CRITICAL vulnerability that has a fix: a rebuild on a patched base image, or a raised pin
# in requirements.txt, makes the image pass. Those with no fix yet are reported by no one and fail nothing.
#   IMAGE_ARCHIVE=image/image.tar     scan an image tarball, or
#   PLATFORMS="linux/amd64 linux/arm64" with the registry-image get of the pushed image in candidate/:
#                                     scan each platform of exactly that digest.
set -eu

scan() {
  trivy image --no-progress --ignore-unfixed --severity HIGH,CRITICAL --exit-code 1 "$@"
}

if [ -n "${IMAGE_ARCHIVE:-}" ]; then
  scan --input "$IMAGE_ARCHIVE"
else
  platforms="${PLATFORMS:?set PLATFORMS or IMAGE_ARCHIVE}"
  reference="$(cat candidate/repository)@$(cat candidate/digest)"
  for platform in $platforms; do
    scan --platform "$platform" "$reference"
  done
fi
