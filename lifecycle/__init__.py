"""lifecycle: designation programmes as state machines, with an audited, tamper-evident log."""

__version__ = "0.1.0"
