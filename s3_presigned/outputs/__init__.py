"""What the step leaves: the link files, the metadata, and the pages."""
