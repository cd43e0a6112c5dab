"""Japanese era years (和暦) for fiscal years (年度, April–March)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# (era name, short letter, first Western year of the era's year 1)
_ERAS = (("令和", "R", 2019), ("平成", "H", 1989), ("昭和", "S", 1926))


def era_year(year: int) -> tuple[str, str, int]:
    """``2021 → ("令和", "R", 3)``; the era that the fiscal year starting in April of ``year`` is in."""
    for name, letter, start in _ERAS:
        if year >= start:
            return name, letter, year - start + 1
    raise ValueError(f"year {year} is before 昭和")


def fiscal_label(year: int) -> str:
    """``2021 → "令和3年度"``; year 1 is written 元年."""
    name, _, n = era_year(year)
    return f"{name}{'元' if n == 1 else n}年度"


def fiscal_label_both(year: int) -> str:
    """``2021 → "令和3年度 (2021年度)"``, the form used on title blocks."""
    return f"{fiscal_label(year)} ({year}年度)"


def short_label(year: int) -> str:
    """``2021 → "R3"``, ``2017 → "H29"`` as the seed tables write it."""
    _, letter, n = era_year(year)
    return f"{letter}{n}"


_SHORT = re.compile(r"^\s*(?P<era>[RHS令平昭])(?:和|成)?\s*(?P<n>元|\d{1,2})\s*(?:年度?)?\s*$")
_LETTERS = {"R": 2019, "令": 2019, "H": 1989, "平": 1989, "S": 1926, "昭": 1926}


def parse_year(text: object) -> int | None:
    """A fiscal year written as ``2021``, ``R3``, ``令和3年度``, ``H29`` or ``平成29`` → 2021 etc."""
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float):
        return int(text) if float(text).is_integer() and 1900 <= text <= 2200 else None
    s = unicodedata.normalize("NFKC", str(text)).strip().upper()
    s = s.removesuffix("年度").removesuffix("年")
    if s.isdigit() and 1900 <= int(s) <= 2200:
        return int(s)
    m = _SHORT.match(s.replace("令和", "令").replace("平成", "平").replace("昭和", "昭"))
    if not m:
        return None
    n = 1 if m["n"] == "元" else int(m["n"])
    return _LETTERS[m["era"]] + n - 1


_DATE_RE = re.compile(
    r"^\s*(?P<y>\d{4})\s*[/\-.年]\s*(?P<m>\d{1,2})\s*[/\-.月]\s*(?P<d>\d{1,2})\s*日?\s*$"
)
_ERA_DATE_RE = re.compile(
    r"^\s*(?P<era>令和|平成|昭和|[RHS])\s*(?P<y>元|\d{1,2})\s*[年/\-.]\s*(?P<m>\d{1,2})\s*[月/\-.]\s*(?P<d>\d{1,2})\s*日?\s*$"
)
_ERA_FIRST = {"令和": 2019, "R": 2019, "平成": 1989, "H": 1989, "昭和": 1926, "S": 1926}


def parse_date(text: str) -> dt.date | None:
    """``2024/4/1``, ``2024-04-01``, ``2024年4月1日``, ``令和6年4月1日``, ``R6.4.1`` → a date; else None."""
    s = unicodedata.normalize("NFKC", text or "").strip().upper()
    m = _DATE_RE.match(s)
    if m:
        year = int(m["y"])
    else:
        m = _ERA_DATE_RE.match(s.replace("令和", "令和").replace("平成", "平成"))
        if not m:
            return None
        year = _ERA_FIRST[m["era"]] + (1 if m["y"] == "元" else int(m["y"])) - 1
    try:
        return dt.date(year, int(m["m"]), int(m["d"]))
    except ValueError:
        return None


JST = dt.timezone(dt.timedelta(hours=9), "JST")
"""Japan time: what every time shown to people is in (records keep ISO 8601 with their offset)."""
_WEEKDAYS = "月火水木金土日"


def date_label(day: dt.date) -> str:
    """``2022-05-31 → "令和4年5月31日（火）"`` (平成 before 2019-05-01; year 1 is 元年)."""
    if day >= dt.date(2019, 5, 1):
        name, n = "令和", day.year - 2018
    elif day >= dt.date(1989, 1, 8):
        name, n = "平成", day.year - 1988
    else:
        name, n = "昭和", day.year - 1925
    return f"{name}{'元' if n == 1 else n}年{day.month}月{day.day}日（{_WEEKDAYS[day.weekday()]}）"


def japan_time(value: str | dt.datetime) -> str:
    """A recorded time as people in Japan read it: ``2026-12-01T21:35:36Z`` →
    ``令和8年12月2日（水）6:35``. A time without offset is taken as this machine's local time;
    text that is no ISO 8601 time comes back as it is (empty stays empty)."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return ""
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
    moment = value if value.tzinfo else value.astimezone()
    local = moment.astimezone(JST)
    return f"{date_label(local.date())}{local.hour}:{local.minute:02d}"
