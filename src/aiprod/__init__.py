"""AIPROD: a brief or a video spec in, a broadcast-ready video out."""

__version__ = "0.1.0"
