"""What was asked: the field table, and validation of ``source`` and the params into typed records."""
