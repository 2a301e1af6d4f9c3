"""Prefect flows. They only wire the stages together; each stage lives in its own package."""
