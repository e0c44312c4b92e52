"""The one interface every data source implements."""
from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:  # pandas loads where bars are built: listing a source's symbols needs none
    import pandas as pd

#: a date as callers give it: ``YYYY-MM-DD`` text, a date, a Timestamp, or None for open-ended
DateLike = Union[str, date, "pd.Timestamp", None]


class Provider(ABC):
    """A source of daily bars. Adapters never compute analytics."""

    #: how bars from this provider are labelled in ``attrs["source"]``
    name: str

    @abstractmethod
    def fetch(self, symbol: str, adjustment: str, start: DateLike = None, end: DateLike = None) -> pd.DataFrame:
        """Daily bars (the model in thesis.data.model), validated.

        Raises SymbolNotFound, DataFileError, ProviderUnavailable.
        """

    def symbols(self, adjustment: str | None = None) -> list[str]:
        """Symbols this provider can list (online providers list none)."""
        return []


def clip_dates(frame: pd.DataFrame, start: DateLike = None, end: DateLike = None) -> pd.DataFrame:
    import pandas as pd

    if start is not None:
        frame = frame[frame.index >= pd.Timestamp(start)]
    if end is not None:
        frame = frame[frame.index <= pd.Timestamp(end)]
    return frame
