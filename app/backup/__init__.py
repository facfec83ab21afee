"""Backups: a database dump, every document content it refers to, and a manifest of checksums."""
