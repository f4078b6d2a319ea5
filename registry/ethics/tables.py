"""Tables of the ethics area (issue 4)."""
