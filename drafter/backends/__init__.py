"""LLM backends behind one narrow interface."""

from drafter.backends.base import Backend, Generation, GenerationOptions

__all__ = ["Backend", "Generation", "GenerationOptions"]
