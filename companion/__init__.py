"""A terminal companion that talks about Spike Jonze's *Her*, citing critics' essays."""

__version__ = "0.1.0"
