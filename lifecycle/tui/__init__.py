"""`lifecycle tui`: the administrators' terminal UI (Textual), one module per screen."""
