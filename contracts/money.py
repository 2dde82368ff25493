"""Exact money helpers: decimal amount columns (元) to integer 分 and back, never via float."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

AMOUNT_TYPE = pa.decimal128(20, 2)
AMOUNT_DTYPE = pd.ArrowDtype(AMOUNT_TYPE)
_HUNDRED = pa.scalar(Decimal(100), type=pa.decimal128(3, 0))


def fen(amount_yuan: pd.Series) -> pd.Series:
    """Exact integer 分 of a decimal128(20, 2) 元 column, as pandas nullable Int64 (null stays null)."""
    arr = pa.array(amount_yuan, type=AMOUNT_TYPE, from_pandas=True)
    fen_arr = pc.cast(pc.multiply(arr, _HUNDRED), pa.int64())  # scale 2 × 100 → integral, safe cast
    return pd.Series(fen_arr.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get), index=amount_yuan.index, name=amount_yuan.name, dtype="Int64")


def yuan_from_fen(fen_amount: int) -> Decimal:
    """Decimal 元 with two places for an integer number of 分."""
    return (Decimal(int(fen_amount)) / 100).quantize(Decimal("0.01"))


def amounts(values: list[Decimal | None]) -> pd.Series:
    """A decimal128(20, 2) 元 column from Decimals (None = blank cell)."""
    return pd.Series(pd.array(values, dtype=AMOUNT_DTYPE))
