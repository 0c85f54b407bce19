"""Adapters that run kernels over files: discovery, batching, atomic writes, accounting."""
