"""The version of s3-presigned-url, declared here and nowhere else.

The file holds nothing else, because a change to it is what publishes a release (``ci/pipeline.yml``).
"""

__version__ = "1.0.1"
