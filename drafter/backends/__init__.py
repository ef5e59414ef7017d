"""LLM backends behind one narrow interface."""

from drafter.backends.base import Backend, GenerationOptions, Generation

__all__ = ["Backend", "Generation", "GenerationOptions"]
