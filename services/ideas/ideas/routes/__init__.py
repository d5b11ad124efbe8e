"""HTTP routes of the ideas service, one module per kind of thing a person works with."""
