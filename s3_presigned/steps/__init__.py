"""The steps as Concourse runs them: the envelope of each, and the get that selects, signs and proves."""
