"""Normalise: turn what a parser found (RawListing) into the common schema (Listing)."""
