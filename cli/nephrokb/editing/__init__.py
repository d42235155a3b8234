"""Commands that rewrite knowledge files: canonical formatting, fixes, imports."""
