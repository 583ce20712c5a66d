"""Pure diff engines: the word diff and the semantic claim diff (no I/O)."""
