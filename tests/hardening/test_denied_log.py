"""An ordinary 403 is one log line, not a traceback (issue 12, "make run")."""

import logging

import pytest

pytestmark = pytest.mark.django_db


def test_a_denied_request_logs_one_line_without_traceback(client_for, caplog):
    client = client_for("Viewer")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/accounts/users/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.getMessage() == "Forbidden (Permission denied): /accounts/users/"
    assert record.exc_info is None and record.exc_text is None
    assert "\n" not in logging.Formatter().format(record)


def test_a_server_error_keeps_its_traceback():
    from apps.core.logfilters import DeniedWithoutTraceback

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: /x",
            (),
            sys.exc_info(),
        )
    assert DeniedWithoutTraceback().filter(record) is True
    assert record.exc_info is not None
