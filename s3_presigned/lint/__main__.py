"""``python -m s3_presigned.lint FILE...``, as the console script runs it."""

import sys

from s3_presigned.lint.command import main

sys.exit(main())
