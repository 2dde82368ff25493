"""Checks of a report's prose against its tables: stated figures, comparisons, years, department, placeholders.

The narrative comes as plain dicts (transform.narrative.narrative_payload): figures with their
quantity, stated unit and its factor_yuan (元 per unit, from transform.units), and claims
(budget_actual, change, share, year, department, placeholder, empty_statement). Every failed
row's detail quotes the page and the sentence, names the table cell, both figures and their
difference, for a person to act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from contracts import declarations as decl
from contracts.check_rows import Figure, Findings
from contracts.money import CENT, from_fen, to_fen, unit_label_of

_MAX_QUOTE = 80  # characters of a sentence quoted in a detail


def check_narrative(findings: Findings, cells: Mapping[str, list[Figure]], narrative: Mapping | None) -> None:
    """Add every narrative check row of one report (nothing when the report has no narrative)."""
    if not narrative:
        return
    rows_before = len(findings.rows)
    for figure in narrative.get("figures", ()):
        _check_figure(findings, cells, figure)
    for claim in narrative.get("claims", ()):
        kind = claim["kind"]
        if kind == "budget_actual":
            _check_budget_actual(findings, claim)
        elif kind == "change":
            _check_change(findings, claim)
        elif kind == "share":
            _check_share(findings, claim)
        elif kind == "year":
            _check_year(findings, claim)
        elif kind == "department":
            _check_department(findings, claim)
        elif kind == "placeholder":
            findings.add("narrative_placeholder", None, False,
                         f"{_quote(claim)}: placeholder {claim['token']!r} where a name or figure should be")
        elif kind == "empty_statement":
            _check_empty_statement(findings, cells, claim)
    _dedupe(findings, rows_before)


def _dedupe(findings: Findings, start: int) -> None:
    """One row per (check, table, detail): the checks dataset's key (a sentence may repeat a phrase)."""
    seen = set()
    kept = findings.rows[:start]
    for row in findings.rows[start:]:
        key = (row["check"], row["table"], row["detail"])
        if key not in seen:
            seen.add(key)
            kept.append(row)
    findings.rows[:] = kept


# ---------- helpers ----------


def _quote(item: Mapping) -> str:
    sentence = item.get("sentence") or ""
    if len(sentence) > _MAX_QUOTE:
        sentence = sentence[:_MAX_QUOTE] + "…"
    section = f" ({item['section']})" if item.get("section") else ""
    return f"p.{item.get('page')} 「{sentence}」{section}"


def _in(amount_yuan: Decimal, figure: Mapping) -> str:
    """A 元 amount written in the unit `figure` is stated in, without trailing noise (2961.68 万元)."""
    unit = figure["unit"]
    value = amount_yuan / figure["factor_yuan"]
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") if len(text.split(".")[1]) > 2 else text
    return f"{text} {unit}"


def _fen(amount_yuan: Decimal | None) -> int | None:
    """A stated amount in 分 (a stated figure has at most 分: 0.01 元, or 0.0001 of a 万元 figure's own unit)."""
    return None if amount_yuan is None else to_fen(Decimal(amount_yuan).quantize(CENT))


def _parse_quantity(quantity: str | None) -> tuple[str, str | None, str, str] | None:
    """(table, side, key, measure) of a quantity naming a table cell, else None (a key of its own)."""
    if not quantity:
        return None
    parts = quantity.split(".")
    if parts[0] not in decl.tables():
        return None
    if parts[0] in decl.two_sided_tables():
        return (parts[0], parts[1], parts[2], parts[3]) if len(parts) == 4 else None
    return (parts[0], None, parts[1], parts[2]) if len(parts) == 3 else None


def _find_cell(table_cells: list[Figure], side: str | None, key: str, measure: str) -> Figure | None:
    for cell in table_cells:
        if cell.measure == measure and cell.key == key and (side is None or cell.side == side):
            return cell
    return None


# ---------- stated figures against table cells ----------


def _check_figure(findings: Findings, cells: Mapping[str, list[Figure]], figure: Mapping) -> None:
    target = _parse_quantity(figure.get("quantity"))
    if target is None or figure.get("amount_yuan") is None:
        return
    table, side, key, measure = target
    if table not in cells:
        return  # table missing or unusable: table_present / schema_valid say so
    stated = Decimal(figure["amount_yuan"])
    cell = _find_cell(cells[table], side, key, measure)
    if cell is None:
        return  # this template prints no such row or column: nothing to compare with
    head = f"{_quote(figure)}: states {_in(stated, figure)} for {figure['quantity']}"
    value = findings.value(cell)  # a figure found cut short in print counts as the sum of its parts
    if value is None:
        findings.add("narrative_table_account", table, stated == 0,
                     f"{head}; {cell.where()} is blank" + ("" if stated == 0 else f"; difference {_in(stated, figure)}"),
                     None, _fen(stated))
        return
    printed = from_fen(int(value))
    diff = stated - printed
    tolerance = Decimal(figure["half_step_yuan"])
    within = abs(diff) <= tolerance
    findings.add("narrative_figure_matches_table", table, within,
                 f"{head}; table {cell.where()} prints {_in(printed, figure)}"
                 + (f" (printed {_in(from_fen(cell.fen), figure)}, cut short)" if value != cell.fen else "")
                 + f"; difference {_in(diff, figure)}"
                 f" {'within' if within else 'beyond'} the rounding of the stated figure ({_in(tolerance, figure)})",
                 value, _fen(stated))


def _check_empty_statement(findings: Findings, cells: Mapping[str, list[Figure]], claim: Mapping) -> None:
    table = claim["table"]
    prefix = claim.get("measures_prefix") or ""
    printed = [c for c in cells.get(table, []) if c.measure.startswith(prefix) and c.fen]
    if not printed:
        findings.add("narrative_table_account", table, True,
                     f"{_quote(claim)}: says {table} holds nothing; it prints no figure"
                     + (f" in its {prefix}* columns" if prefix else ""))
        return
    factor = findings.factor(table)
    printed_in = {"unit": unit_label_of(factor), "factor_yuan": factor}  # the unit printed over the table
    listed = "; ".join(f"{c.where()} {_in(from_fen(c.fen), printed_in)}" for c in printed[:5])
    findings.add("narrative_table_account", table, False,
                 f"{_quote(claim)}: says {table} holds nothing, but it prints {len(printed)} figure(s): {listed}",
                 None, printed[0].fen)


# ---------- comparisons ----------

_OPS = {"gt": "决算 above the budget", "lt": "决算 below the budget", "eq": "决算 equal to the budget",
        "near": "决算 about equal to the budget"}


def _check_budget_actual(findings: Findings, claim: Mapping) -> None:
    budget, actual = claim["budget"], claim["actual"]
    b, a = Decimal(budget["amount_yuan"]), Decimal(actual["amount_yuan"])
    rounding = Decimal(budget["half_step_yuan"]) + Decimal(actual["half_step_yuan"])
    op = claim["op"]
    diff = a - b
    if op == "gt":
        holds = diff > 0
    elif op == "lt":
        holds = diff < 0
    elif op == "eq":
        holds = abs(diff) <= rounding
    else:
        holds = abs(diff) <= max(rounding, abs(b) * Decimal(claim["near_percent"]) / 100)
    findings.add("narrative_budget_comparison", _table_of(actual), holds,
                 f"{_quote(claim)}: says {claim['word']} ({_OPS[op]}); the paragraph states budget "
                 f"{_in(b, budget)} (p.{budget['page']}) and 决算 {_in(a, actual)} (p.{actual['page']}): "
                 f"决算 − budget = {_in(diff, actual)}", _fen(b), _fen(a))


def _table_of(figure: Mapping | None) -> str | None:
    target = _parse_quantity(figure.get("quantity")) if figure else None
    return target[0] if target else None


def _pct_interval(part: Decimal, part_half: Decimal, whole: Decimal, whole_half: Decimal) -> tuple[Decimal, Decimal] | None:
    """The percentages part/whole can be given the rounding of both figures; None when whole may be 0."""
    if whole - whole_half <= 0:
        return None
    low = max(Decimal(0), part - part_half) / (whole + whole_half) * 100
    high = (part + part_half) / (whole - whole_half) * 100
    return low, high


def _pct_holds(stated: Mapping, interval: tuple[Decimal, Decimal]) -> tuple[bool, Decimal]:
    """Whether a printed percentage is within one unit of its last printed decimal of the interval (reports
    adjust a share by one unit so that the shares add up to 100 %)."""
    number = Decimal(stated["number"])
    exponent = number.as_tuple().exponent
    unit = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    low, high = interval
    return low - unit <= number <= high + unit, (low + high) / 2


def _check_change(findings: Findings, claim: Mapping) -> None:
    current, prior, diff, pct = claim.get("current"), claim.get("prior"), claim.get("diff"), claim.get("pct")
    if current is None:
        return
    sign = claim["sign"]
    cur = Decimal(current["amount_yuan"])
    h_cur = Decimal(current["half_step_yuan"])
    table = _table_of(current)
    head = f"{_quote(claim)}: says {claim['word']}"
    if prior is not None:
        last = Decimal(prior["amount_yuan"])
        h_last = Decimal(prior["half_step_yuan"])
        change = cur - last
        rounding = h_cur + h_last
        direction = abs(change) <= rounding if sign == 0 else (change > 0 if sign > 0 else change < 0)
        problems = [] if direction else [f"this year − last year = {_in(change, current)}"]
        if diff is not None and abs(abs(change) - Decimal(diff["amount_yuan"])) > rounding + Decimal(diff["half_step_yuan"]):
            problems.append(f"stated difference {_in(Decimal(diff['amount_yuan']), diff)} ≠ {_in(abs(change), current)}")
        if pct is not None:
            interval = _pct_interval(abs(change), rounding, last, h_last)
            if interval is not None:
                ok, computed = _pct_holds(pct, interval)
                if not ok:
                    problems.append(f"stated {pct['number']}% ≠ {computed:.2f}% (difference over last year's figure)")
        findings.add("narrative_change", table, not problems,
                     f"{head}; figures: last year {_in(last, prior)}, this year {_in(cur, current)}"
                     + (f"; {'; '.join(problems)}" if problems else ""), _fen(last), _fen(cur))
        return
    if diff is None or pct is None or sign == 0:
        return  # nothing the sentence states can be tested
    stated_diff = Decimal(diff["amount_yuan"])
    h_diff = Decimal(diff["half_step_yuan"])
    last = cur - sign * stated_diff
    interval = _pct_interval(stated_diff, h_diff, last, h_cur + h_diff)
    if interval is None:
        return  # last year's figure 0: reports print 100 % or nothing meaningful
    ok, computed = _pct_holds(pct, interval)
    findings.add("narrative_change", table, ok,
                 f"{head} {_in(stated_diff, diff)} and {pct['number']}% from this year's {_in(cur, current)}: "
                 f"last year {_in(last, current)}, so {computed:.2f}%" + ("" if ok else f", not {pct['number']}%"),
                 _fen(last), _fen(cur))


def _check_share(findings: Findings, claim: Mapping) -> None:
    part, whole, pct = claim["figure"], claim["base"], claim["pct"]
    p, w = Decimal(part["amount_yuan"]), Decimal(whole["amount_yuan"])
    interval = _pct_interval(p, Decimal(part["half_step_yuan"]), w, Decimal(whole["half_step_yuan"]))
    if interval is None:
        return
    ok, computed = _pct_holds(pct, interval)
    findings.add("narrative_share", _table_of(part), ok,
                 f"{_quote(claim)}: states {_in(p, part)} as {pct['number']}% of {_in(w, whole)}; "
                 f"it is {computed:.2f}%" + ("" if ok else f" (difference {Decimal(pct['number']) - computed:.2f} points)"))


# ---------- years, department ----------


def _check_year(findings: Findings, claim: Mapping) -> None:
    printed, expected = claim["printed"], claim["expected"]
    findings.add("narrative_year", None, printed == expected,
                 f"{_quote(claim)}: {claim['phrase']!r} speaks of {printed}; the report's year makes it {expected}")


def _check_department(findings: Findings, claim: Mapping) -> None:
    printed = claim["printed"].replace("（本级）", "").replace("(本级)", "").removesuffix("本级")
    expected = claim["expected"]
    # the report's name, or its tail without the region prefix (区司法局 for 武汉市硚口区司法局)
    same = printed == expected or (len(printed) >= 2 and expected.endswith(printed))
    findings.add("narrative_department", None, same,
                 f"{_quote(claim)}: heading names {printed!r}; the report is {expected!r}")
