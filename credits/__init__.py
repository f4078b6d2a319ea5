"""credits: see docs/architecture.md."""
