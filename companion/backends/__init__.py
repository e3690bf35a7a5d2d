"""Language-model backends: each streams text pieces for a list of messages."""
