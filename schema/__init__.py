"""The common schema every parser's output is normalised into (pydantic v2)."""
from schema.models import (
    BlockError,
    DeliveryMode,
    DurationUnit,
    Listing,
    LISTINGS,
    RawListing,
    ParseResult,
)

__all__ = [
    "BlockError",
    "DeliveryMode",
    "DurationUnit",
    "Listing",
    "LISTINGS",
    "RawListing",
    "ParseResult",
]
