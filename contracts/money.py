"""Exact money, the one owner of its conversions: 元 as Decimal, integer 分, printed units, decimal128 columns; never a float."""

from __future__ import annotations

import tomllib
from decimal import Decimal, Inexact, localcontext
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

CENT = Decimal("0.01")  # 1 分 in 元
AMOUNT_TYPE = pa.decimal128(20, 2)
AMOUNT_DTYPE = pd.ArrowDtype(AMOUNT_TYPE)
_HUNDRED = pa.scalar(Decimal(100), type=pa.decimal128(3, 0))

FACTOR_YUAN: dict[str, int] = dict(
    tomllib.loads((Path(__file__).parent / "units.toml").read_text(encoding="utf-8"))["factor_yuan"])
"""Money unit → how many 元 one of it is: {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}."""
_UNIT_OF_FACTOR = {factor: unit for unit, factor in FACTOR_YUAN.items()}


def unit_label_of(factor_yuan: int) -> str:
    """How a unit of factor_yuan 元 is written (10000 → 万元; a factor no unit has → ×N元)."""
    return _UNIT_OF_FACTOR.get(factor_yuan, f"×{factor_yuan}元")


def fen(amount_yuan: pd.Series) -> pd.Series:
    """Exact integer 分 of a decimal128(20, 2) 元 column, as pandas nullable Int64 (null stays null)."""
    arr = pa.array(amount_yuan, type=AMOUNT_TYPE, from_pandas=True)
    fen_arr = pc.cast(pc.multiply(arr, _HUNDRED), pa.int64())  # scale 2 × 100 → integral, safe cast
    return pd.Series(fen_arr.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get), index=amount_yuan.index, name=amount_yuan.name, dtype="Int64")


def _require_finite_decimal(amount: Decimal, what: str) -> None:
    if not isinstance(amount, Decimal):
        raise TypeError(f"{what} takes a Decimal, not {type(amount).__name__}: {amount!r}")
    if not amount.is_finite():
        raise ValueError(f"{what}: not a finite amount: {amount!r}")


def to_fen(amount_yuan: Decimal) -> int:
    """An amount in 元 as integer 分, exactly; ValueError if it has a nonzero digit below 分 (1.234)."""
    _require_finite_decimal(amount_yuan, "to_fen")
    fen_amount = amount_yuan.scaleb(2)
    if fen_amount != fen_amount.to_integral_value():
        raise ValueError(f"amount {amount_yuan} 元 is not a whole number of 分 (more than 2 decimals)")
    return int(fen_amount)


def from_fen(fen_amount: int) -> Decimal:
    """Integer 分 back to 元 as a Decimal with 2 places: 123456 → Decimal("1234.56")."""
    if isinstance(fen_amount, bool) or not isinstance(fen_amount, int):
        raise TypeError(f"from_fen takes an int, not {type(fen_amount).__name__}: {fen_amount!r}")
    return Decimal(fen_amount).scaleb(-2)


def scaled(amount: Decimal, factor_yuan: int) -> Decimal:
    """`amount` printed in a unit of factor_yuan 元, in 元, exactly (3469.73 × 10000 → 34697300.00)."""
    _require_finite_decimal(amount, "scaled")
    with localcontext() as context:
        context.prec = max(28, len(amount.as_tuple().digits) + 12)
        context.traps[Inexact] = True
        return amount * factor_yuan


def in_unit(fen_amount: int, factor_yuan: int) -> Decimal:
    """Integer 分 as a figure in a unit of factor_yuan 元, exactly, without padding (3469730000 分 in 万元 → 3469.73)."""
    return Decimal(int(fen_amount)) / (factor_yuan * 100)


def amounts(values: list[Decimal | None]) -> pd.Series:
    """A decimal128(20, 2) 元 column from Decimals (None = blank cell)."""
    return pd.Series(pd.array(values, dtype=AMOUNT_DTYPE))
