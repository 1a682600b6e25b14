"""Use cases, one function each, each in one unit of work. Entry points call these only."""
