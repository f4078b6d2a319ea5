"""The pure rules of email: the SMTP URL, the Message-ID, the backoff, what a failure means."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest

from registry.mail.rules import (
    Outcome,
    SmtpTarget,
    SmtpUrlError,
    after_failure,
    backoff,
    build_message,
    is_permanent,
    message_id,
    parse_smtp_url,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay.example.org", SmtpTarget("relay.example.org", 587, "starttls")),
        ("smtp://u:p@relay.example.org:2525", SmtpTarget("relay.example.org", 2525, "starttls", "u", "p")),
        ("smtp://relay.example.org?security=tls", SmtpTarget("relay.example.org", 465, "tls")),
        ("smtp://relay.example.org:25?security=none", SmtpTarget("relay.example.org", 25, "none")),
        ("smtps://u%40kg:p%2Fw%3A@mail.example.org", SmtpTarget("mail.example.org", 465, "tls", "u@kg", "p/w:")),
        ("smtps://mail.example.org:4650?security=tls", SmtpTarget("mail.example.org", 4650, "tls")),
    ],
)
def test_the_smtp_url(url: str, expected: SmtpTarget) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://relay.example.org",
        "smtp://",
        "smtp://relay.example.org?security=ssl",
        "smtps://relay.example.org?security=starttls",
        "smtp://relay.example.org?sekurity=tls",
        "smtp://relay.example.org:notaport",
    ],
)
def test_a_bad_smtp_url_is_refused_without_its_password(url: str) -> None:
    with pytest.raises(SmtpUrlError) as caught:
        parse_smtp_url(url.replace("://", "://user:s3cret@", 1) if "://" in url else url)
    assert "s3cret" not in str(caught.value)


def test_the_password_is_never_in_the_target_as_shown() -> None:
    target = parse_smtp_url("smtp://registry:s3cret-pw@relay.example.org:587")
    assert target.password == "s3cret-pw"
    assert "s3cret" not in repr(target) and "s3cret" not in str(target)
    assert str(target) == "smtp://registry@relay.example.org:587 (starttls)"


def test_the_message_id_is_stable_per_row_and_never_made_twice() -> None:
    first = message_id("notification:123", "registry@kg-chaoyang.cn", token="a1")
    assert first == message_id("notification:123", "registry@kg-chaoyang.cn", token="a1")  # kept in the row
    assert first.startswith("<registry.notification-123.") and first.endswith("@kg-chaoyang.cn>")
    # notification 123 again (an older backup restored, a demo reset): another Message-ID
    made = {message_id("notification:123", "registry@kg-chaoyang.cn") for _i in range(50)}
    assert len(made) == 50
    # sources that read alike once reduced to letters and digits still differ
    assert message_id("notification:12-3", "r@x.cn", "t") != message_id("notification:12:3", "r@x.cn", "t")
    assert message_id("通知:1", "registry@localhost").endswith("@localhost>")


def test_the_backoff_doubles_up_to_its_cap() -> None:
    waits = [backoff(n, 60, 3600).total_seconds() for n in range(1, 9)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert backoff(10_000, 60, 3600) == timedelta(hours=1)


def test_what_a_failure_makes_of_the_row() -> None:
    assert is_permanent(550) and is_permanent(554)
    assert not is_permanent(451) and not is_permanent(421) and not is_permanent(None)
    # the sender, the login or the connection refused: a setting to fix, the email waits
    assert not is_permanent(553, recipient_or_message=False) and not is_permanent(535, False)
    assert after_failure(0, permanent=True, max_attempts=10) is Outcome.failed  # a 5xx: at once
    assert after_failure(0, permanent=False, max_attempts=10) is Outcome.retry
    assert after_failure(8, permanent=False, max_attempts=10) is Outcome.retry  # the 9th attempt
    assert after_failure(9, permanent=False, max_attempts=10) is Outcome.failed  # the 10th, the last
    assert after_failure(0, permanent=False, max_attempts=1) is Outcome.failed


def test_the_message_is_utf8_plain_text_with_its_headers() -> None:
    when = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
    msg = build_message(
        mail_from="registry@kg-chaoyang.cn",
        to="li.jing@example.org",
        subject="您的学分申报已通过",
        body="李静老师：您申报的 24 学时已认定。",
        message_id="<registry.x.1@kg-chaoyang.cn>",
        date=when,
    )
    raw = msg.as_bytes()
    assert raw.isascii()  # passes any relay: RFC 2047 subject, base64 body
    assert b'Content-Type: text/plain; charset="utf-8"' in raw
    back = email.message_from_bytes(raw, policy=email.policy.default)
    assert back["Subject"] == "您的学分申报已通过"
    assert back.get_content().strip() == "李静老师：您申报的 24 学时已认定。"  # type: ignore[attr-defined]
    assert back["Message-ID"] == "<registry.x.1@kg-chaoyang.cn>"
    assert back["Date"].datetime == when
