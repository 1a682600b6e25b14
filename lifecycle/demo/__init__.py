"""Demonstration data: the showcase of every programme (`lifecycle demo`) and the bulk portfolio
(`lifecycle demo --cases N`). Not a use case: an entry point that drives the services."""
