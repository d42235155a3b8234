"""Comparing two versions of the knowledge, and the changelog written from that comparison."""
