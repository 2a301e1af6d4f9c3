"""Deduplicate: recognise length variants of one course and give courses stable ids."""
from grouping.variants import Course, Grouping, Variant, group_listings

__all__ = ["Course", "Grouping", "Variant", "group_listings"]
