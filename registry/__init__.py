"""The district kindergarten-workforce registry."""
