"""Readings from a spreadsheet's CSV, checked row by row before anything is sent (web/measurements_csv.py):
pure, no platform."""

from __future__ import annotations

from web import measurements_csv as readings

METRICS = {"Hours per claim": "m1", "Days waiting": "m2"}


def test_a_spreadsheets_file_is_read_as_it_saves_it():
    raw = (
        "\ufeffMetric,Period start,Period end,Value,Method\r\n"
        'hours per claim,2026-01-01,31/01/2026,"1,200.5",Report\r\n'
        ",,,,\r\n"  # an empty row a spreadsheet leaves at the end
        "Days waiting,01/02/2026,28/02/2026,12%,\r\n"
    ).encode()
    upload = readings.parse(raw, METRICS)
    assert upload.good and [r.line for r in upload.rows] == [2, 4]
    assert upload.rows[0].body == {
        "metric_id": "m1",
        "value": 1200.5,
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
        "method": "Report",
        "source": "",
        "note": "",
    }
    assert upload.rows[1].body["value"] == 12 and upload.rows[1].body["period_start"] == "2026-02-01"


def test_each_problem_is_said_on_its_row_and_column():
    raw = (
        b"metric,period_start,period_end,value\n"
        b"Hours per claims,2026-01-01,2026-01-31,1.5\n"
        b"Hours per claim,2026-02-28,2026-02-01,lots\n"
        b"Days waiting,yesterday,2026-02-01,NaN\n"
    )
    upload = readings.parse(raw, METRICS)
    assert not upload.good
    assert [(row.line, column) for row, column, _ in upload.errors] == [
        (2, "metric"),
        (3, "period_end"),
        (3, "value"),
        (4, "period_start"),
        (4, "value"),
    ]
    assert "its metrics: Hours per claim, Days waiting" in upload.rows[0].errors["metric"]
    assert upload.rows[1].errors["period_end"] == "The period ends before it starts"


def test_a_file_that_cannot_be_read_says_why():
    assert "lacks period_start, value" in (readings.parse(b"metric,period_end\nx,y\n", METRICS).problem or "")
    assert "UTF-8" in (readings.parse("metric\n£".encode("cp1252"), METRICS).problem or "")
    assert "no readings" in (readings.parse(b"metric,period_start,period_end,value\n", METRICS).problem or "")
    many = b"metric,period_start,period_end,value\n" + b"Days waiting,2026-01-01,2026-01-31,1\n" * 1001
    assert "more than 1000" in (readings.parse(many, METRICS).problem or "")


def test_the_apis_refusals_land_on_the_rows_that_were_sent():
    raw = (
        b"metric,period_start,period_end,value\n"
        b"Hours per claim,2026-01-01,2026-01-31,1\n"
        b"Nope,2026-01-01,2026-01-31,1\n"  # refused here: never sent, so the API's rows skip it
        b"Days waiting,2026-01-01,2026-01-31,1\n"
    )
    upload = readings.parse(raw, METRICS)
    placed = readings.place_api_errors(
        upload,
        [
            {"field": "measurements.1.period_start", "message": "days waiting already has a reading for this period"},
            {"field": "measurements.0.metric_id", "message": "is not a metric of this trial"},
            {"field": "measurements.7.value", "message": "no such row"},
        ],
    )
    assert placed == 2
    assert upload.rows[2].errors == {"period_start": "Days waiting already has a reading for this period"}
    assert upload.rows[0].errors == {"metric": "Is not a metric of this trial"}


def test_the_template_names_the_trials_metrics():
    text = readings.template(["Hours per claim", "Days waiting"])
    assert text.splitlines()[0] == ",".join(readings.COLUMNS)
    assert readings.parse(text.encode(), METRICS).rows[1].cells["metric"] == "Days waiting"
