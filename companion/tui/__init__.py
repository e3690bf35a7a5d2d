"""The Textual chat window."""
