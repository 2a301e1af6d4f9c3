from flows import memory as _memory  # noqa: F401  (Arrow's allocator, before pyarrow is imported)
