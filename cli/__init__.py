"""The `courses` command line."""
