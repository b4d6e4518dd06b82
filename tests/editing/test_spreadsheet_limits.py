"""Spreadsheets that are small on disk but not in what they declare or hold: a
clear refusal (or a correct reading) with bounded memory, never a 500."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relations.editing import spreadsheets
from relations.editing.spreadsheets import SpreadsheetError, preview, read_rows

pytestmark = pytest.mark.django_db

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" Type="http://'
        "schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
        '" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" Type="http://'
        "schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
        '" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def xlsx(rows, dimension="A1:XFD1048576"):
    """An XLSX written by hand: `rows` are the sheet's <row> elements, as strings."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, xml in PARTS.items():
            archive.writestr(name, xml)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for row in rows:
                sheet.write(row.encode())
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def text(reference, value):
    return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'


HEADER = '<row r="1">' + text("A1", "Year") + text("B1", "Headline") + "</row>"
TALKS = '<row r="2"><c r="A2"><v>2024</v></c>' + text("B2", "Talks in Minsk") + "</row>"


def read_within(limit_bytes, data):
    """read_rows' outcome (rows or the error) and the memory it took at its peak."""
    tracemalloc.start()
    try:
        outcome = read_rows(data, "timeline.xlsx")
    except SpreadsheetError as exc:
        outcome = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < limit_bytes
    return outcome


MB = 1024 * 1024


def test_a_small_xlsx_declaring_a_million_rows_is_read_as_the_rows_it_has(db):
    # The empty last row made openpyxl pad every row between to 16,384 columns.
    data = xlsx([HEADER, TALKS, '<row r="1048576"/>'])
    assert len(data) < 2000
    header, rows = read_within(50 * MB, data)
    assert header == ["Year", "Headline"]
    assert rows == [(2, {"year": "2024", "headline": "Talks in Minsk"})]


def test_a_file_of_millions_of_real_rows_is_refused_after_reading_the_limit(db, monkeypatch):
    rows = "<row><c><v>2024</v></c></row>" * 3_000_000
    data = xlsx(['<row><c t="inlineStr"><is><t>Year</t></is></c></row>', rows])
    assert len(data) < 500_000
    read = []
    bounded = spreadsheets._bounded
    monkeypatch.setattr(
        spreadsheets,
        "_bounded",
        lambda cells, number: read.append(number) or bounded(cells, number),
    )
    error = read_within(50 * MB, data)
    assert str(error) == "More than 5000 rows; split the file."
    assert len(read) == 1 + spreadsheets.MAX_ROWS + 1


def test_a_row_of_millions_of_empty_cells_is_refused_by_its_size(db, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_SHEET_ELEMENTS", 10_000)
    data = xlsx([HEADER, "<row>" + "<c/>" * 3_000_000 + "</row>"])
    error = read_within(50 * MB, data)
    assert "more than 10000 cells and rows" in str(error)


def test_data_beyond_the_column_limit_is_refused_and_empty_cells_there_are_ignored(db):
    styled = '<row r="2"><c r="A2"><v>2024</v></c>' + text("B2", "Talks") + '<c r="XFD2" s="1"/>'
    _header, rows = read_rows(xlsx([HEADER, styled + "</row>"]), "t.xlsx")
    assert rows == [(2, {"year": "2024", "headline": "Talks"})]
    with pytest.raises(SpreadsheetError, match="Row 2 has data in column 65; only the first 64"):
        read_rows(xlsx([HEADER, styled + text("BM2", "far") + "</row>"]), "t.xlsx")
    wide = "Year,Headline" + "," * 64 + "x\n"
    with pytest.raises(SpreadsheetError, match="Row 1 has data in column 66"):
        read_rows(wide.encode(), "t.csv")


def test_a_csv_of_too_many_rows_or_an_overlong_field_is_refused(db):
    many = "Year,Headline\n" + "2024,Talks\n" * 6000
    with pytest.raises(SpreadsheetError, match="More than 5000 rows"):
        read_rows(many.encode(), "t.csv")
    with pytest.raises(SpreadsheetError, match="more than 32767 characters"):
        read_rows(("Year,Headline\n2024," + "x" * 40_000).encode(), "t.csv")
    with pytest.raises(SpreadsheetError, match="cannot be read at line 2"):
        read_rows(('Year,Headline\n2024,"' + "x" * 200_000 + '"').encode(), "t.csv")


def test_shared_strings_unpacking_past_the_limit_are_refused_before_reading(db):
    data = xlsx([HEADER, TALKS])
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", " " * (21 * MB))
    with pytest.raises(SpreadsheetError, match="unpacks to more than 20 MB"):
        read_rows(out.getvalue(), "t.xlsx")


BROKEN_SHEETS = {
    "row 0 in a reference": '<row r="2"><c r="A0"><v>1</v></c></row>',
    "column past XFD": '<row r="2"><c r="ZZZZZ1"><v>1</v></c></row>',
    "row before column": '<row r="2"><c r="1A"><v>1</v></c></row>',
    "row past the last": '<row r="2"><c r="A1048577"><v>1</v></c></row>',
    "row number not a number": '<row r="x"><c><v>1</v></c></row>',
    "row number huge": '<row r="' + "9" * 5000 + '"><c><v>1</v></c></row>',
    "number not a number": '<row r="2"><c r="A2"><v>abc</v></c></row>',
    "shared string out of range": '<row r="2"><c r="A2" t="s"><v>7</v></c></row>',
    "boolean not a number": '<row r="2"><c r="A2" t="b"><v>yes</v></c></row>',
    "date not a date": '<row r="2"><c r="A2" t="d"><v>tomorrow</v></c></row>',
    "unclosed element": '<row r="2"><c r="A2"><v>1</v></row>',
}


@pytest.mark.parametrize("row", BROKEN_SHEETS.values(), ids=BROKEN_SHEETS.keys())
def test_a_damaged_sheet_is_a_form_error_not_a_500(client, editor, row):
    upload = SimpleUploadedFile("t.xlsx", xlsx([HEADER, row]))
    response = client.post("/admin/relations/event/import/", {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "not a valid" in html or "cannot be read" in html


@pytest.mark.parametrize("year", ["inf", "-inf", "nan", "1e309", "NaN", "1992.5"])
def test_timelinejs_years_that_are_not_whole_numbers_are_row_errors(db, year):
    data = f"Year,Headline\n{year},Talks\n".encode()
    [outcome] = preview(data, "t.csv")
    assert outcome.outcome == "error"
    assert "is not a whole number" in outcome.reason


@pytest.mark.parametrize("date", ["1_99", "١٩٩٢", "2024-1_"])
def test_app_dates_accept_ascii_digits_only(db, date):
    data = f"slug,title,summary,start_date,category\nx,X,Y,{date},diplomacy\n".encode()
    [outcome] = preview(data, "t.csv")
    assert outcome.outcome == "error"
    assert "is not a date" in outcome.reason
