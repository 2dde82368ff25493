"""Sentences → the figures a report's text states (the `narrative` dataset) and the claims its checks test.

Pure functions of the sentences, the report's table frames and its metadata; every wording comes
from transform/layout/sentences.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from transform.sentences import Heading, Sentence, layout
from transform.units import unit_factor


@dataclass(frozen=True)
class Figure:
    """One figure stated in a sentence: money (amount_yuan set) or a percentage (unit %)."""

    no: int  # order of the figure in the report's text (1-based; money and percentages alike)
    page: int
    section: str | None
    sentence: str
    paragraph: int
    start: int  # offset of the figure in its sentence
    end: int
    label: str  # the words before it that say what it is
    number: Decimal  # as printed
    unit: str  # 万元 | 元 | %
    amount_yuan: Decimal | None
    quantity: str | None = None
    role: str | None = None

    @property
    def decimals(self) -> int:
        exponent = self.number.as_tuple().exponent
        return -exponent if isinstance(exponent, int) and exponent < 0 else 0

    @property
    def half_step_yuan(self) -> Decimal:
        """Half a unit of the last printed decimal place, in 元: the rounding a stated figure may carry."""
        return Decimal(unit_factor(self.unit)) * Decimal(1).scaleb(-self.decimals) / 2


@dataclass
class Narrative:
    figures: list[Figure] = field(default_factory=list)  # money figures, in reading order
    claims: list[dict] = field(default_factory=list)  # what the checks test (kind: see claim_kinds)


def _figures_of(sentence: Sentence, params: dict, first_no: int) -> list[Figure]:
    """Every figure of one sentence with its label (quantity still unknown)."""
    fig = params["figures"]
    stops = set(fig["label_stops"])
    out = []
    previous_end = 0
    for match in re.finditer(fig["figure"], sentence.text):
        raw = sentence.text[previous_end:match.start()]
        marks: list[str] = []  # protect the marks that hold brackets: （类）, （204类）, （境）

        def protect(found: re.Match) -> str:
            marks.append(found.group(0))
            return chr(0xE000 + len(marks) - 1)

        pattern = "|".join([fig["kept_mark_pattern"], *map(re.escape, fig["kept_marks"])])
        raw = re.sub(pattern, protect, raw).rstrip("".join(stops))
        cut = max((raw.rfind(ch) for ch in stops), default=-1)
        label = re.sub("[\ue000-\uf8ff]", lambda m: marks[ord(m.group(0)) - 0xE000], raw[cut + 1:])
        label = re.sub(params["lines"]["paragraph_start"], "", label, count=1)  # 1.因公出国… → 因公出国…
        number = Decimal(match.group("number").replace(",", ""))
        unit = match.group("unit")
        amount = number * unit_factor(unit) if unit in fig["money_units"] else None
        out.append(Figure(first_no + len(out), sentence.page, sentence.section, sentence.text, sentence.paragraph,
                          match.start(), match.end(), label, number, unit, amount))
        previous_end = match.end()
    return out


# ---------- subjects (功能分类 names → table rows) ----------


def subject_names(text: str, params: dict) -> dict[str, tuple[str, str | None]]:
    """The class/section/item (name, code digits or None) a text prints: 一般公共服务支出（类）财政事务（款）
    行政运行（项）, or 公共安全支出（204类）司法（06款）行政运行（01项）."""
    names = {}
    for level in ("class", "section", "item"):
        found = list(re.finditer(params["subjects"][level], text))
        if found:
            names[level] = (found[-1].group("name"), found[-1].group("code"))
    dashed = [m.group("names").split(params["subjects"]["dashed_separator"])
              for m in re.finditer(params["subjects"]["dashed"], text)]
    if dashed and len(dashed[-1]) == 3 and not names:
        names = {level: (name, None) for level, name in zip(("class", "section", "item"), dashed[-1])}
    return names


def subject_rows(frame: pd.DataFrame | None) -> tuple[tuple[str, str, str], ...]:
    """(subject_code, subject_level, item) of each subject row of a table, once per code (read once per report)."""
    if frame is None or not len(frame):
        return ()
    rows = frame.drop_duplicates(["subject_code"])[["subject_code", "subject_level", "item"]].dropna()
    return tuple(rows.itertuples(index=False, name=None))


def resolve_subject(names: dict[str, str], rows: tuple[tuple[str, str, str], ...], params: dict) -> str | None:
    """The subject_code of the row the names point to, when exactly one row (subject_rows) fits; else None."""
    if not rows or not names:
        return None
    deepest = next(level for level in ("item", "section", "class") if level in names)
    printed_code = ""
    for level in ("class", "section", "item"):
        digits = names.get(level, (None, None))[1]
        if not digits:
            break
        printed_code += digits
    if len(printed_code) == {"class": 3, "section": 5, "item": 7}[deepest]:  # the printed code decides
        return printed_code if any(code == printed_code for code, _, _ in rows) else None
    suffixes = params["subjects"]["name_suffixes"]

    def codes(level: str) -> set[str]:
        wanted = {names[level][0] + suffix for suffix in suffixes}
        return {code for code, row_level, item in rows if row_level == level and item in wanted}

    candidates = codes(deepest)
    for parent, digits in (("class", 3), ("section", 5)):
        if parent in names and parent != deepest:
            parents = codes(parent)
            if parents:
                candidates = {c for c in candidates if c[:digits] in parents}
    return candidates.pop() if len(candidates) == 1 else None


# ---------- quantities ----------


def _quantity(figure: Figure, subject: str | None, report_type: str | None, params: dict) -> tuple[str | None, str | None]:
    """(quantity, role) of a money figure: the first quantities rule its label, section and report type fit."""
    subjects = params["subjects"]
    for rule in params["quantities"]:
        if report_type is not None and report_type not in rule.get("report_types", [report_type]):
            continue
        if not re.search(rule["label"], figure.label):
            continue
        if "section" in rule and not (figure.section and re.search(rule["section"], figure.section)):
            continue
        if rule.get("when_no_subject") and subject is not None:
            continue
        before = figure.sentence[:figure.start]
        if "before" in rule and not re.search(rule["before"], before):
            continue
        if "before_not" in rule and re.search(rule["before_not"], before):
            continue
        if rule["quantity"] == "subject":
            if subject is None:
                continue
            return f"{subjects['table']}.{subject}.{subjects['measure']}", rule.get("role")
        return rule["quantity"] or None, rule.get("role")
    return None, None


# ---------- the whole text ----------


def read_narrative(sentences: list[Sentence], headings: list[Heading], tables: dict[str, pd.DataFrame],
                   meta: dict, params: dict | None = None) -> Narrative:
    """Figures (with quantities) and claims of a report's prose. meta: report_type, year, department."""
    params = params or layout()
    report_type = meta.get("report_type")
    subjects = subject_rows(tables.get(params["subjects"]["table"]))
    any_subject = "|".join(f"(?:{re.sub(r'[?]P<[a-z]+>', '', params['subjects'][k])})"
                           for k in ("class", "section", "item", "dashed"))
    result = Narrative()
    in_paragraph: list[Figure] = []  # figures so far in the current paragraph (money and %)
    context: dict[str, str] = {}  # subject names in force in the current paragraph
    paragraph = None
    no = 1
    for sentence in sentences:
        if sentence.paragraph != paragraph:
            paragraph, in_paragraph, context = sentence.paragraph, [], {}
        figures = _figures_of(sentence, params, no)
        no += len(figures)
        # subject names: a figure's own label first, else the names the paragraph printed before it
        typed = []
        names_at: list[tuple[int, dict]] = []
        for m in re.finditer(any_subject, sentence.text):
            names_at.append((m.end(), subject_names(sentence.text[:m.end()], params)))
        for f in figures:
            if f.amount_yuan is None:
                typed.append(f)
                continue
            own = subject_names(f.label, params)
            names = _merge(context, own) if own else (_names_before(names_at, f.start) or context)
            subject = resolve_subject(names, subjects, params) if names else None
            quantity, role = _quantity(f, subject, report_type, params)
            typed.append(_with(f, quantity, role))
        sentence_names = subject_names(sentence.text, params)
        if sentence_names:
            context = _merge(context, sentence_names)
        result.figures.extend(f for f in typed if f.amount_yuan is not None)
        result.claims.extend(_comparison_claims(sentence, typed, in_paragraph, params))
        in_paragraph = in_paragraph + typed
        result.claims.extend(_text_claims(sentence.page, sentence.text, "sentence", report_type, meta, params))
    for heading in headings:
        result.claims.extend(_text_claims(heading.page, heading.text, "heading", report_type, meta, params))
    return result


def _names_before(names_at: list[tuple[int, dict]], position: int) -> dict:
    before = [names for end, names in names_at if end <= position]
    return before[-1] if before else {}


def _merge(context: dict, names: dict) -> dict:
    """New names replace the context from their level down (a new class drops the old section and item)."""
    order = ("class", "section", "item")
    top = min(order.index(level) for level in names)
    kept = {level: name for level, name in context.items() if order.index(level) < top}
    return {**kept, **names}


def _with(figure: Figure, quantity: str | None, role: str | None) -> Figure:
    from dataclasses import replace

    return replace(figure, quantity=quantity, role=role)


def _where(sentence: Sentence) -> dict:
    return {"page": sentence.page, "section": sentence.section, "sentence": sentence.text}


def _comparison_claims(sentence: Sentence, figures: list[Figure], before: list[Figure], params: dict) -> list[dict]:
    """budget_actual, change and share claims of one sentence (figures: its own; before: the paragraph's so far)."""
    comparisons = params["comparisons"]
    claims = []
    text = sentence.text
    money_before = [f for f in before if f.amount_yuan is not None]
    for rule in comparisons["budget_actual"]:
        match = re.search(rule["pattern"], text)
        if not match:
            continue
        known = money_before + [f for f in figures if f.amount_yuan is not None and f.start < match.start()]
        budget = next((f for f in reversed(known) if f.role == "budget"), None)
        actual = next((f for f in reversed(known) if f.role == "actual"), None)
        if budget is not None and actual is not None:
            claims.append({"kind": "budget_actual", "op": rule["op"], "word": match.group("op"), "budget": budget,
                           "actual": actual, "near_percent": Decimal(str(comparisons["near_percent"])), **_where(sentence)})
        break
    context = re.search(comparisons["change_context"], text)
    if context:
        words = {w["word"]: w["sign"] for w in comparisons["change_words"]}
        pattern = "(?P<word>" + "|".join(map(re.escape, words)) + ")"
        found = [m for m in re.finditer(pattern, text) if m.start() >= context.start()]
        if found:
            first = found[0]
            after = [f for f in figures if f.start >= first.start()]
            diff = next((f for f in after if f.amount_yuan is not None and f.start == _after_word(text, found, f)), None)
            pct = next((f for f in after if f.unit == "%" and f.start == _after_word(text, found, f)), None)
            own_before = [f for f in figures if f.start < first.start() and f.amount_yuan is not None]
            current = next((f for f in reversed(money_before + own_before) if f.role not in ("change", "prior")), None)
            prior = next((f for f in reversed(own_before) if f.role == "prior"), None)
            claims.append({"kind": "change", "sign": words[first.group("word")], "word": first.group("word"),
                           "diff": diff, "pct": pct, "current": current, "prior": prior, **_where(sentence)})
    for i, f in enumerate(figures):
        if f.amount_yuan is None:
            continue
        share = re.match(comparisons["share"], text[f.end:])
        if not share:
            continue
        head = _head_figure(money_before + figures[:i], comparisons["share_head_words"])
        pct = next((g for g in figures[i + 1:] if g.unit == "%"), None)
        if head is not None and head is not f and pct is not None:
            claims.append({"kind": "share", "figure": f, "base": head, "pct": pct, **_where(sentence)})
    return claims


def _after_word(text: str, words: list[re.Match], figure: Figure) -> int:
    """figure.start when a change word stands right before the figure (so it is that word's figure), else -1."""
    return figure.start if any(w.end() == figure.start for w in words) else -1


def _head_figure(figures: list[Figure], head_words: list[str]) -> Figure | None:
    """The last money figure printed right before 其中 / 主要用于以下方面 (the figure a share is of)."""
    for f in reversed(figures):
        if f.amount_yuan is None:
            continue
        tail = f.sentence[f.end:f.end + 12].lstrip("，,：:")
        if any(tail.startswith(word) for word in head_words):
            return f
    return None


def _text_claims(page: int, text: str, where: str, report_type: str | None, meta: dict, params: dict) -> list[dict]:
    """year, department, placeholder and empty_statement claims of one sentence or heading."""
    claims = []
    base = {"page": page, "section": None, "sentence": text, "where": where}
    year = meta.get("year")
    for rule in params["years"]:
        if report_type is not None and report_type not in rule["report_types"]:
            continue
        if rule.get("where", "both") not in ("both", f"{where}s"):
            continue
        for match in re.finditer(rule["pattern"], text):
            if year:
                claims.append({"kind": "year", "printed": int(match.group("year")), "expected": int(year) + rule["offset"],
                               "phrase": match.group(0), **base})
    if where == "heading":
        match = re.search(params["department"]["heading"], text)
        if match and meta.get("department"):
            claims.append({"kind": "department", "printed": match.group("department"),
                           "expected": meta["department"], **base})
    match = re.search(params["placeholders"]["pattern"], text)
    if match:
        claims.append({"kind": "placeholder", "token": match.group(0), **base})
    if where == "sentence":
        for rule in params["empty_statements"]:
            if re.search(rule["pattern"], text):
                prefix = rule.get(f"{report_type}_measures_prefix", "") if report_type else ""
                claims.append({"kind": "empty_statement", "table": rule["table"], "measures_prefix": prefix, **base})
    return claims


def narrative_records(narrative: Narrative) -> list[dict]:
    """The `narrative` dataset's rows (per-report columns added by the caller): one per money figure."""
    return [{"figure_no": f.no, "page": f.page, "section": f.section, "sentence": f.sentence, "quantity": f.quantity,
             "amount_yuan": f.amount_yuan.quantize(Decimal("0.01")) if f.amount_yuan is not None else None,
             "unit_printed": f.unit} for f in narrative.figures]


def _figure_dict(figure: Figure) -> dict:
    return {"no": figure.no, "page": figure.page, "section": figure.section, "sentence": figure.sentence,
            "quantity": figure.quantity, "role": figure.role, "number": figure.number, "unit": figure.unit,
            "amount_yuan": figure.amount_yuan, "half_step_yuan": figure.half_step_yuan if figure.unit != "%" else None,
            "factor_yuan": unit_factor(figure.unit) if figure.amount_yuan is not None else None}


def narrative_payload(narrative: Narrative) -> dict:
    """The narrative as plain dicts for contracts.checks (figures, claims; each money figure with its rounding
    and the 元 per unit it is stated in, so the checks write amounts in that unit without a unit table)."""
    claims = [{key: _figure_dict(value) if isinstance(value, Figure) else value for key, value in claim.items()}
              for claim in narrative.claims]
    return {"figures": [_figure_dict(f) for f in narrative.figures], "claims": claims}
