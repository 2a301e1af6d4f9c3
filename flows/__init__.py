"""Prefect flows. They only wire the stages together; each stage lives in its own package."""
from flows import memory as _memory  # noqa: F401  (Arrow's allocator, before pyarrow is imported)
