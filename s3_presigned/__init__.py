"""s3-presigned-url: a Concourse resource type that hands pipelines time-limited presigned S3 URLs."""
