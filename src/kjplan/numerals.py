"""Chinese numerals for headings (一 … 九十九) and quantities with Chinese units (6000万元 = 0.6亿元)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

DIGITS = "〇一二三四五六七八九"
_DIGIT_VALUE = {c: i for i, c in enumerate(DIGITS)} | {"零": 0, "两": 2}


def cn_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 16 -> 十六, 20 -> 二十, 99 -> 九十九 (heading numbers 一、 and （一）)."""
    if not isinstance(n, int) or not 1 <= n <= 99:
        raise ValueError(f"只支持 1 到 99 的序号：{n!r}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")


def cn_ordinal(n: int) -> str:
    """Any count from 1 to 9999 in words, for "一是……二是……" however many points there are:
    16 -> 十六, 105 -> 一百零五, 110 -> 一百一十, 1001 -> 一千零一."""
    if isinstance(n, int) and 1 <= n <= 99:
        return cn_number(n)
    if not isinstance(n, int) or not 1 <= n <= 9999:
        raise ValueError(f"只支持 1 到 9999：{n!r}")
    out, zero = "", False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        out += ("零" if zero else "") + DIGITS[digit] + name
        zero = False
    return out


def parse_cn_number(text: str) -> int:
    """Inverse of cn_number: 十六 -> 16; Arabic digits are accepted too."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(c not in _DIGIT_VALUE and c != "十" for c in text):
        raise ValueError(f"不是中文数字：{text!r}")
    if "十" not in text:
        if len(text) != 1:
            raise ValueError(f"不是中文数字：{text!r}")
        return _DIGIT_VALUE[text]
    tens_part, _, ones_part = text.partition("十")
    if len(tens_part) > 1 or len(ones_part) > 1 or "十" in ones_part:
        raise ValueError(f"不是中文数字：{text!r}")
    tens = _DIGIT_VALUE[tens_part] if tens_part else 1
    ones = _DIGIT_VALUE[ones_part] if ones_part else 0
    if tens == 0:
        raise ValueError(f"不是中文数字：{text!r}")
    return tens * 10 + ones


def cn_year(year: int) -> str:
    """2020 -> 二〇二〇 (digit by digit, as years are read)."""
    return "".join(DIGITS[int(d)] for d in str(year))


def cn_date(d) -> str:
    """成文日期 in Arabic numerals, year in full, no leading zeros: 2020年7月6日."""
    return f"{d.year}年{d.month}月{d.day}日"


# Units of money scale into each other; any other unit must match the target's exactly.
_MONEY = {"元": Decimal(1), "万元": Decimal(10) ** 4, "亿元": Decimal(10) ** 8}
_UNIT_ALIASES = {"万": "万元", "亿": "亿元", "％": "%", "百分点": "%"}
_QUANTITY = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([^\d.\s]*)\s*$")


def normalize_unit(unit: str) -> str:
    unit = unicodedata.normalize("NFKC", unit).strip()
    return _UNIT_ALIASES.get(unit, unit)


def unit_kind(unit: str) -> str:
    """'money' (元、万元、亿元), 'percent' (%), or 'count' (家、项、个、人 and anything else)."""
    unit = normalize_unit(unit)
    if unit in _MONEY:
        return "money"
    return "percent" if unit == "%" else "count"


def parse_quantity(text: str) -> tuple[Decimal, str]:
    """'6000万' -> (6000, '万元'); '82%' -> (82, '%'); '3' -> (3, ''). Raises ValueError in Chinese."""
    norm = unicodedata.normalize("NFKC", str(text)).replace(",", "").replace("，", "")
    match = _QUANTITY.match(norm)
    if not match:
        raise ValueError(f"“{text}”不是数值（应为数字加单位，如 6000万、0.6亿、82%）")
    try:
        value = Decimal(match.group(1))
    except InvalidOperation:
        raise ValueError(f"“{text}”不是数值") from None
    return value, normalize_unit(match.group(2))


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert between units of one kind: 6000 万元 -> 0.6 亿元. An empty from_unit means to_unit."""
    from_unit, to_unit = normalize_unit(from_unit), normalize_unit(to_unit)
    if not from_unit or from_unit == to_unit:
        return value
    if from_unit in _MONEY and to_unit in _MONEY:
        return value * _MONEY[from_unit] / _MONEY[to_unit]
    raise ValueError(f"单位“{from_unit}”不能换算为“{to_unit}”")


def to_target_unit(text: str, target_unit: str) -> float:
    """A value typed by a user, in the target's unit: to_target_unit('6000万', '亿元') == 0.6."""
    value, unit = parse_quantity(text)
    return float(convert(value, unit, target_unit))


def format_number(value: float | Decimal, places: int = 4) -> str:
    """Plain decimal without float noise or trailing zeros: 0.6, 1, 6000, 82.5."""
    q = Decimal(str(round(float(value), places))).normalize()
    text = format(q, "f")
    return "0" if text in ("-0", "") else text


def format_quantity(value: float | Decimal, unit: str) -> str:
    """0.6 亿元 -> '0.6亿元'; money below one unit of 亿元 is shown in 万元 (6000万元)."""
    unit = normalize_unit(unit)
    if unit in _MONEY and value:
        dec = Decimal(str(value))
        for candidate in ("亿元", "万元", "元"):
            scaled = convert(dec, unit, candidate)
            if abs(scaled) >= 1 or candidate == "元":
                return f"{format_number(scaled)}{candidate}"
    return f"{format_number(value)}{unit}"
