"""Embed passages, keep them in ChromaDB, and search them."""
