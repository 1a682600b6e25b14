"""The domain: programmes, cases and decisions. Pure Python: no I/O, no clock, no database."""
