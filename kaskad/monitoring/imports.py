"""Reading a test's key and a subject's responses from CSV or XLSX, all or nothing.

Both files are read with the registry's table reader (encodings, workbooks, the header found
among the first rows) and checked completely before anything is written; every problem is
reported with its line, column, value and reason, and a file with any problem writes
nothing.

Key file: one row per item; columns ``item`` (number), ``key`` (A–D, empty for a
partial-credit item), ``max score`` (partial credit), ``strand``, ``skill``, ``difficulty``.

Response file: one row per pupil; columns ``pupil`` (code), ``class``, optionally
``school`` (the registry's organisation code; otherwise the school chosen on the upload
form), ``sex``, ``language``, and one column per item named by its number (``1``, ``Q1``…)
holding the raw answer (A–D) or a score.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from kaskad.monitoring.models import Difficulty, InstructionLanguage, Sex
from kaskad.monitoring.scoring import LETTERS, AnswerProblem, ItemSpec, score_answer
from kaskad.registry.imports.reader import FileProblem, open_table
from kaskad.registry.imports.types import RowIssue

Progress = Callable[[str, int, int], None]
MAX_ISSUES = 200

ITEM_HEADER = re.compile(r"^(?:q|item|задание|тапсырма|№|#)?\s*[-.]?\s*0*(\d{1,3})$")
PUPIL_NAMES = {
    "pupil",
    "pupil code",
    "pupil_code",
    "code",
    "код",
    "код ученика",
    "код учащегося",
    "ученик",
    "оқушы",
    "оқушы коды",
}
CLASS_NAMES = {"class", "класс", "сынып"}
SCHOOL_NAMES = {"school", "school code", "школа", "код школы", "мектеп", "мектеп коды"}
SEX_NAMES = {"sex", "gender", "пол", "жынысы"}
LANGUAGE_NAMES = {"language", "язык", "язык обучения", "тіл", "оқыту тілі"}
KEY_ITEM_NAMES = {"item", "number", "no", "задание", "номер", "тапсырма", "нөмір"}
KEY_KEY_NAMES = {"key", "ключ", "кілт", "answer", "ответ", "жауап"}
KEY_MAX_NAMES = {"max score", "max", "maximum", "макс балл", "максимальный балл", "ең жоғары балл"}
KEY_STRAND_NAMES = {"strand", "content strand", "раздел", "бөлім", "содержательная линия"}
KEY_SKILL_NAMES = {"skill", "умение", "дағды", "когнитивный уровень"}
KEY_DIFFICULTY_NAMES = {"difficulty", "сложность", "күрделілік", "қиындық"}

SEX_VALUES = {
    "f": Sex.FEMALE,
    "ж": Sex.FEMALE,
    "girl": Sex.FEMALE,
    "female": Sex.FEMALE,
    "девочка": Sex.FEMALE,
    "қыз": Sex.FEMALE,
    "m": Sex.MALE,
    "м": Sex.MALE,
    "е": Sex.MALE,
    "boy": Sex.MALE,
    "male": Sex.MALE,
    "мальчик": Sex.MALE,
    "ұл": Sex.MALE,
}
LANGUAGE_VALUES = {
    "kk": InstructionLanguage.KAZAKH,
    "каз": InstructionLanguage.KAZAKH,
    "қаз": InstructionLanguage.KAZAKH,
    "kazakh": InstructionLanguage.KAZAKH,
    "казахский": InstructionLanguage.KAZAKH,
    "қазақ": InstructionLanguage.KAZAKH,
    "қазақша": InstructionLanguage.KAZAKH,
    "ru": InstructionLanguage.RUSSIAN,
    "рус": InstructionLanguage.RUSSIAN,
    "russian": InstructionLanguage.RUSSIAN,
    "русский": InstructionLanguage.RUSSIAN,
    "орыс": InstructionLanguage.RUSSIAN,
    "орысша": InstructionLanguage.RUSSIAN,
}
DIFFICULTY_VALUES = {
    "easy": Difficulty.EASY,
    "лёгкий": Difficulty.EASY,
    "легкий": Difficulty.EASY,
    "жеңіл": Difficulty.EASY,
    "medium": Difficulty.MEDIUM,
    "средний": Difficulty.MEDIUM,
    "орташа": Difficulty.MEDIUM,
    "hard": Difficulty.HARD,
    "трудный": Difficulty.HARD,
    "сложный": Difficulty.HARD,
    "қиын": Difficulty.HARD,
}


def _norm(name: str) -> str:
    return " ".join(name.replace("_", " ").strip().lower().split())


class Rejected(Exception):
    """The file was refused: nothing was written. ``issues`` say where and why."""

    def __init__(self, issues: list[RowIssue]) -> None:
        super().__init__("; ".join(str(issue) for issue in issues[:3]))
        self.issues = issues


@dataclass
class Collector:
    file: str
    issues: list[RowIssue] = field(default_factory=list)
    count: int = 0

    def add(self, line: int, column: str, value: str, code: str, message: str) -> None:
        self.count += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(RowIssue(self.file, line, column, value, code, message))

    def raise_if_any(self) -> None:
        if self.issues:
            raise Rejected(self.issues)


def _file_problem(problem: FileProblem, name: str) -> Rejected:
    return Rejected(
        [
            RowIssue(
                name,
                problem.line,
                problem.column,
                problem.value,
                problem.code,
                problem.message,
            )
        ]
    )


# --- the key ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRow:
    position: int
    key: str
    max_score: int
    strand: str
    skill: str
    difficulty: str


def _key_recognise(name: str) -> bool:
    known = (
        KEY_ITEM_NAMES
        | KEY_KEY_NAMES
        | KEY_MAX_NAMES
        | KEY_STRAND_NAMES
        | KEY_SKILL_NAMES
        | KEY_DIFFICULTY_NAMES
    )
    return _norm(name) in known


def read_key(path: Path, *, original_name: str, options: int = 4) -> list[KeyRow]:
    """The items of a key file in order; raises Rejected (nothing to write) on any problem,
    among them an item number missing from 1..n and an item with neither key nor maximum."""
    issues = Collector(original_name)
    rows: list[KeyRow] = []
    letters = LETTERS[:options]
    try:
        with open_table(path, recognise=_key_recognise) as table:
            roles: dict[int, str] = {}
            for index, name in enumerate(table.header):
                normal = _norm(name)
                for role, names in (
                    ("item", KEY_ITEM_NAMES),
                    ("key", KEY_KEY_NAMES),
                    ("max", KEY_MAX_NAMES),
                    ("strand", KEY_STRAND_NAMES),
                    ("skill", KEY_SKILL_NAMES),
                    ("difficulty", KEY_DIFFICULTY_NAMES),
                ):
                    if normal in names:
                        roles[index] = role
            present = set(roles.values())
            for needed, label in (("item", "item"), ("key", "key"), ("strand", "strand")):
                if needed not in present:
                    issues.add(
                        table.header_line,
                        label,
                        "",
                        "missing_column",
                        _("The key has no “%(column)s” column.") % {"column": label},
                    )
            issues.raise_if_any()
            seen: dict[int, int] = {}
            for line, cells in table.rows:
                values = {role: "" for role in ("item", "key", "max", "strand", "skill")}
                values["difficulty"] = ""
                for index, role in roles.items():
                    values[role] = cells[index].strip() if index < len(cells) else ""
                number_text = values["item"]
                if not number_text.isdigit() or int(number_text) < 1:
                    issues.add(
                        line,
                        "item",
                        number_text,
                        "bad_item_number",
                        _("not an item number (1, 2, 3…)"),
                    )
                    continue
                number = int(number_text)
                if number in seen:
                    issues.add(
                        line,
                        "item",
                        number_text,
                        "duplicate_item",
                        _("item %(n)s is already on line %(line)s")
                        % {"n": number, "line": seen[number]},
                    )
                    continue
                seen[number] = line
                key = values["key"].upper().translate(str.maketrans("АВС", "ABC"))
                max_text = values["max"]
                max_score = 1
                if key:
                    if key not in letters:
                        issues.add(
                            line,
                            "key",
                            values["key"],
                            "bad_key",
                            _("the key must be one of %(options)s")
                            % {"options": ", ".join(letters)},
                        )
                        continue
                elif max_text:
                    if not max_text.isdigit() or not 1 <= int(max_text) <= 20:
                        issues.add(
                            line,
                            "max score",
                            max_text,
                            "bad_max_score",
                            _("the maximum score must be a whole number from 1 to 20"),
                        )
                        continue
                    max_score = int(max_text)
                else:
                    issues.add(
                        line,
                        "key",
                        "",
                        "missing_key",
                        _(
                            "item %(n)s has no key: give the correct option, or a maximum "
                            "score for a partial-credit item"
                        )
                        % {"n": number},
                    )
                    continue
                if not values["strand"]:
                    issues.add(
                        line, "strand", "", "missing_strand", _("the content strand is empty")
                    )
                    continue
                difficulty = ""
                if values["difficulty"]:
                    found = DIFFICULTY_VALUES.get(_norm(values["difficulty"]))
                    if found is None:
                        issues.add(
                            line,
                            "difficulty",
                            values["difficulty"],
                            "bad_difficulty",
                            _("the difficulty must be easy, medium or hard"),
                        )
                        continue
                    difficulty = str(found)
                rows.append(
                    KeyRow(
                        position=number,
                        key=key,
                        max_score=max_score,
                        strand=values["strand"][:80],
                        skill=(values["skill"] or "—")[:80],
                        difficulty=difficulty,
                    )
                )
    except FileProblem as problem:
        raise _file_problem(problem, original_name) from None
    if not rows and not issues.issues:
        issues.add(0, "", "", "empty", _("The key has no items."))
    if seen:
        for number in range(1, max(seen) + 1):
            if number not in seen:
                issues.add(
                    0,
                    "item",
                    str(number),
                    "missing_item",
                    _("item %(n)s is missing from the key (items run from 1 to %(last)s)")
                    % {"n": number, "last": max(seen)},
                )
    issues.raise_if_any()
    return sorted(rows, key=lambda row: row.position)


# --- responses ---------------------------------------------------------------------------------


@dataclass
class PupilRow:
    line: int
    school_id: int
    class_label: str
    code: str
    sex: str
    language: str
    answers: list[str]
    scores: list[float | None]


def _response_recognise(name: str) -> bool:
    normal = _norm(name)
    return normal in PUPIL_NAMES or normal in CLASS_NAMES or bool(ITEM_HEADER.match(normal))


def read_responses(
    path: Path,
    *,
    original_name: str,
    items: list[ItemSpec],
    schools: dict[str, int],
    default_school_id: int | None,
    progress: Progress | None = None,
) -> list[PupilRow]:
    """Every pupil row of a response file, scored; raises Rejected (nothing to write) on any
    problem. ``schools`` maps the organisation codes of the study's schools to their ids."""
    report = progress or (lambda stage, done, total: None)
    issues = Collector(original_name)
    n_items = len(items)
    out: list[PupilRow] = []
    try:
        with open_table(path, recognise=_response_recognise) as table:
            header_line = table.header_line
            roles: dict[str, int] = {}
            item_columns: dict[int, int] = {}  # item position -> column index
            for index, name in enumerate(table.header):
                normal = _norm(name)
                if not normal:
                    continue
                role = (
                    "pupil"
                    if normal in PUPIL_NAMES
                    else "class"
                    if normal in CLASS_NAMES
                    else "school"
                    if normal in SCHOOL_NAMES
                    else "sex"
                    if normal in SEX_NAMES
                    else "language"
                    if normal in LANGUAGE_NAMES
                    else ""
                )
                match = ITEM_HEADER.match(normal)
                if role:
                    if role in roles:
                        issues.add(
                            header_line,
                            name,
                            name,
                            "duplicate_column",
                            _("this column appears twice"),
                        )
                    roles[role] = index
                elif match:
                    number = int(match.group(1))
                    if number < 1 or number > n_items:
                        issues.add(
                            header_line,
                            name,
                            name,
                            "more_items_than_test",
                            _("the test has %(n)s items: there is no item %(item)s")
                            % {"n": n_items, "item": number},
                        )
                    elif number in item_columns:
                        issues.add(
                            header_line,
                            name,
                            name,
                            "duplicate_column",
                            _("item %(n)s has two columns") % {"n": number},
                        )
                    else:
                        item_columns[number] = index
                else:
                    issues.add(
                        header_line,
                        name,
                        name,
                        "unknown_column",
                        _(
                            "unknown column: expected “pupil”, “class”, “school”, “sex”, "
                            "“language” or an item number"
                        ),
                    )
            if "pupil" not in roles:
                issues.add(
                    header_line,
                    "pupil",
                    "",
                    "no_pupil_column",
                    _(
                        "The file has no pupil code column (name it “pupil”); its columns "
                        "are: %(columns)s"
                    )
                    % {"columns": ", ".join(h for h in table.header if h.strip())},
                )
            if "class" not in roles:
                issues.add(
                    header_line,
                    "class",
                    "",
                    "no_class_column",
                    _("The file has no “class” column."),
                )
            if "school" not in roles and default_school_id is None:
                issues.add(
                    header_line,
                    "school",
                    "",
                    "no_school",
                    _("Choose the school on the form, or add a “school” column."),
                )
            for number in range(1, n_items + 1):
                if number not in item_columns:
                    issues.add(
                        header_line,
                        str(number),
                        "",
                        "missing_item_column",
                        _("item %(n)s has no column (the test has %(total)s items)")
                        % {"n": number, "total": n_items},
                    )
            issues.raise_if_any()
            width = len(table.header)
            seen: dict[tuple[int, str], int] = {}
            total = table.estimated_rows
            for done, (line, cells) in enumerate(table.rows, start=1):
                if done % 200 == 0:
                    report("checking", done, max(total, done))

                def cell(role: str, cells: list[str] = cells) -> str:
                    index = roles.get(role)
                    return cells[index].strip() if index is not None and index < len(cells) else ""

                extra = [value for value in cells[width:] if value.strip()]
                if extra:
                    issues.add(
                        line,
                        "",
                        extra[0],
                        "more_answers_than_items",
                        _("the row has %(n)s more values than the columns of the %(items)s items")
                        % {"n": len(extra), "items": n_items},
                    )
                    continue
                code = cell("pupil")
                if not code:
                    issues.add(line, "pupil", "", "missing_code", _("the pupil code is empty"))
                    continue
                if len(code) > 32:
                    issues.add(
                        line,
                        "pupil",
                        code,
                        "code_too_long",
                        _("a pupil code has at most 32 characters"),
                    )
                    continue
                school_id = default_school_id
                if "school" in roles:
                    school_code = cell("school")
                    found_school = schools.get(school_code)
                    if found_school is None and not (school_code == "" and school_id):
                        issues.add(
                            line,
                            "school",
                            school_code,
                            "unknown_school",
                            _("not the code of a school of this study"),
                        )
                        continue
                    school_id = found_school or school_id
                assert school_id is not None
                class_label = cell("class")
                if not class_label or len(class_label) > 12:
                    issues.add(
                        line,
                        "class",
                        class_label,
                        "bad_class",
                        _("the class is empty or longer than 12 characters"),
                    )
                    continue
                sex_text = cell("sex")
                sex = ""
                if sex_text:
                    found_sex = SEX_VALUES.get(_norm(sex_text))
                    if found_sex is None:
                        issues.add(
                            line, "sex", sex_text, "bad_sex", _("the sex is F or M (or empty)")
                        )
                        continue
                    sex = str(found_sex)
                language_text = cell("language")
                language = ""
                if language_text:
                    found_language = LANGUAGE_VALUES.get(_norm(language_text))
                    if found_language is None:
                        issues.add(
                            line,
                            "language",
                            language_text,
                            "bad_language",
                            _("the language of instruction is kk or ru (or empty)"),
                        )
                        continue
                    language = str(found_language)
                key = (school_id, code)
                if key in seen:
                    issues.add(
                        line,
                        "pupil",
                        code,
                        "duplicate_pupil",
                        _("this pupil code is already on line %(line)s") % {"line": seen[key]},
                    )
                    continue
                seen[key] = line
                answers: list[str] = []
                scores: list[float | None] = []
                bad = False
                for item in items:
                    index = item_columns[item.position]
                    raw = cells[index] if index < len(cells) else ""
                    try:
                        answer, score = score_answer(item, raw)
                    except AnswerProblem as problem:
                        issues.add(
                            line,
                            table.header[index],
                            raw,
                            problem.code,
                            problem.message,
                        )
                        bad = True
                        continue
                    answers.append(answer)
                    scores.append(score)
                if bad:
                    continue
                out.append(
                    PupilRow(
                        line=line,
                        school_id=school_id,
                        class_label=class_label,
                        code=code,
                        sex=sex,
                        language=language,
                        answers=answers,
                        scores=scores,
                    )
                )
            report("checking", len(out), len(out))
    except FileProblem as problem:
        raise _file_problem(problem, original_name) from None
    if not out and not issues.issues:
        issues.add(0, "", "", "empty", _("The file has no pupils."))
    issues.raise_if_any()
    return out


def issues_as_dicts(issues: list[RowIssue]) -> list[dict[str, Any]]:
    return [{**issue.as_dict(), "where": issue.where()} for issue in issues]
