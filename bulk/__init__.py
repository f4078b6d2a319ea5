"""Excel and CSV imports and exports (issue 6): templates, validated bulk imports, scoped exports."""
