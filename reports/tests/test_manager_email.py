"""The daily manager report: emailed once after each night audit, to the hotel's report recipients."""

import smtplib

import pytest
from django.core import mail

from frontdesk.models import NightAuditRun
from frontdesk.tasks import run_due_night_audits
from reports.models import ManagerReportEmail
from reports.services import MAX_ATTEMPTS
from reports.tasks import send_manager_reports

from .conftest import at, d

pytestmark = pytest.mark.django_db

RECIPIENTS = ["gm@grandhotel.example", "revenue@grandhotel.example"]


@pytest.fixture
def recipients(june):
    june.hotel.report_recipients = ", ".join(RECIPIENTS)
    june.hotel.save(update_fields=["report_recipients"])
    return june


def test_one_email_after_the_audit_of_june_25(recipients):
    with at(d(6, 26), 3, 5):  # the beat tick after the audit that made Evans a no-show
        assert send_manager_reports() == ["NYC 2027-06-25 SENT"]
    [email] = mail.outbox
    assert email.to == RECIPIENTS
    assert email.subject == "Grand Hotel NYC: manager report for Friday, June 25, 2027"
    body = email.body
    # The night of the 25th sold nothing; E's first night (207.78) was kept. Month to date, June 1 to 25:
    # 10 room nights (A 1, B 4, G 2, H 3) of 16 x 25 - 3 = 397 for 189.00 + 536.40 + 408.00 + 888.30 = 2021.70.
    assert "Occupancy                                    0.00%          2.52%            -" in body
    assert "Room nights sold / available                0 / 16       10 / 397        0 / 0" in body
    assert "ADR                                              -         202.17            -" in body   # 2021.70 / 10
    assert "RevPAR                                        0.00           5.09            -" in body   # 2021.70 / 397
    assert "Room revenue                                  0.00       2,021.70         0.00" in body
    assert "Retained (penalties, unused nights)         207.78         932.62         0.00" in body
    assert "Total revenue                               207.78       3,365.92         0.00" in body
    assert "0 cancelled (0.00 retained, 0.00 lost), 1 no-show (207.78 retained, 456.36 lost)." in body
    # The next 30 nights, June 26 to July 25: F (149.00 x 3) and I (189.00 + 219.00).
    assert "On the books for the next 30 nights: 5 room nights (1.04%), room revenue 855.00." in body
    assert "Night audit: 1 no-show marked, 0 room nights posted." in body
    assert ("http://127.0.0.1:8000/admin/reports/report/performance/?hotel=NYC&first=2027-06-01&last=2027-06-25"
            in body)
    html = email.alternatives[0][0]
    assert "<td>ADR</td><td align=\"right\">-</td><td align=\"right\">202.17</td>" in html
    record = ManagerReportEmail.objects.get()
    assert (record.business_date, record.status, record.recipients, record.attempts) == (
        d(6, 25), "SENT", ", ".join(RECIPIENTS), 1)

    with at(d(6, 26), 3, 20):  # the next ticks send nothing more
        assert send_manager_reports() == []
    with at(d(6, 27), 2, 50):
        assert send_manager_reports() == []
    assert len(mail.outbox) == 1


def test_each_audited_day_gets_its_own_email(recipients):
    with at(d(6, 26), 3, 5):
        send_manager_reports()
    with at(d(6, 27), 3, 1):
        assert run_due_night_audits() == ["NYC 2027-06-26"]
    with at(d(6, 27), 3, 5):
        assert send_manager_reports() == ["NYC 2027-06-26 SENT"]
    assert [m.subject for m in mail.outbox] == [
        "Grand Hotel NYC: manager report for Friday, June 25, 2027",
        "Grand Hotel NYC: manager report for Saturday, June 26, 2027"]
    assert "Night audit: 0 no-shows marked, 0 room nights posted." in mail.outbox[1].body


def test_a_hotel_without_recipients_is_skipped_once(june):
    with at(d(6, 26), 3, 5):
        assert send_manager_reports() == ["NYC 2027-06-25 SKIPPED"]
    june.hotel.report_recipients = "gm@grandhotel.example"
    june.hotel.save(update_fields=["report_recipients"])
    with at(d(6, 26), 3, 20):  # set afterwards: the next day's report goes, this one does not
        assert send_manager_reports() == []
    assert mail.outbox == []


def test_an_audit_older_than_two_days_sends_no_backlog(recipients):
    assert send_manager_reports() == []  # July 1: the last audit was June 26
    assert mail.outbox == [] and not ManagerReportEmail.objects.exists()


def test_a_mail_server_failure_is_retried_and_sent_once(recipients, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages

    def refused(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    with at(d(6, 26), 3, 5):
        assert send_manager_reports() == ["NYC 2027-06-25 FAILED"]
    record = ManagerReportEmail.objects.get()
    assert (record.status, record.attempts, record.error) == ("FAILED", 1, "Connection unexpectedly closed")
    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    with at(d(6, 26), 3, 20):
        assert send_manager_reports() == ["NYC 2027-06-25 SENT"]
    with at(d(6, 26), 3, 35):
        assert send_manager_reports() == []
    assert len(mail.outbox) == 1
    record.refresh_from_db()
    assert (record.status, record.attempts, record.error) == ("SENT", 2, "")


def test_it_gives_up_after_the_last_attempt(recipients, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refused(self, messages):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    for minute in range(MAX_ATTEMPTS + 2):
        with at(d(6, 26), 4, minute):
            send_manager_reports()
    assert ManagerReportEmail.objects.get().attempts == MAX_ATTEMPTS


def test_a_report_being_sent_by_another_worker_is_left_to_it(recipients):
    """Another worker has claimed the day (its lease runs to 03:15): this tick sends nothing; once the lease
    is over (the other worker died) the next tick sends it."""
    from datetime import datetime

    from .conftest import NEW_YORK

    ManagerReportEmail.objects.create(hotel=recipients.hotel, business_date=d(6, 25), attempts=1,
                                      claimed_until=datetime(2027, 6, 26, 3, 15, tzinfo=NEW_YORK))
    with at(d(6, 26), 3, 5):
        assert send_manager_reports() == []
    with at(d(6, 26), 3, 20):
        assert send_manager_reports() == ["NYC 2027-06-25 SENT"]
    assert len(mail.outbox) == 1


def test_the_sent_reports_are_listed_in_the_admin(recipients, admin_client):
    with at(d(6, 26), 3, 5):
        send_manager_reports()
    assert NightAuditRun.objects.filter(business_date=d(6, 25)).exists()
    page = admin_client.get("/admin/reports/managerreportemail/").content.decode()
    assert "June 25, 2027" in page and "gm@grandhotel.example, revenue@grandhotel.example" in page
