"""The server's own daily sweep (REGISTRY_NOTIFY_SWEEP_AT): when it runs, and that a failed day does not
stop the next."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from app import notifications
from kernel.common.time import today
from kernel.settings import Settings


def test_the_next_run_is_later_today_or_tomorrow_in_beijing_time() -> None:
    # 2026-12-07 22:00 UTC is 06:00 on the 8th in Beijing
    assert notifications.seconds_until("06:30", datetime(2026, 12, 7, 22, 0, tzinfo=UTC)) == 30 * 60
    assert notifications.seconds_until("06:30", datetime(2026, 12, 7, 22, 30, tzinfo=UTC)) == 24 * 3600
    assert notifications.seconds_until("06:30", datetime(2026, 12, 7, 22, 31, tzinfo=UTC)) == 24 * 3600 - 60
    # 23:00 UTC on the 31st is 07:00 on 1 January in Beijing: the next run is the 2nd's
    assert notifications.seconds_until("06:30", datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == 23.5 * 3600


def test_the_setting_is_a_time_of_day_or_off() -> None:
    assert Settings(notify_sweep_at="07:05").notify_sweep_at == "07:05"
    assert Settings(notify_sweep_at="").notify_sweep_at is None
    assert Settings(notify_sweep_at=None).notify_sweep_at is None
    for wrong in ("25:00", "7:5", "noon"):
        with pytest.raises(ValidationError):
            Settings(notify_sweep_at=wrong)


async def test_it_sweeps_at_start_and_every_day_and_survives_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    sleeps: list[float] = []

    async def fake_run_cpu(fn: Any, job: Any, day: Any) -> dict[str, int]:
        calls.append((fn, job, day))
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return {"certificate.expiring": 3}

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise asyncio.CancelledError

    monkeypatch.setattr(notifications, "run_cpu", fake_run_cpu)
    monkeypatch.setattr(notifications.asyncio, "sleep", fake_sleep)
    with pytest.raises(asyncio.CancelledError):
        await notifications.sweep_daily("06:30")
    assert len(calls) == 2, "the day after a failure is swept all the same"
    assert all(fn is notifications.in_worker and job is notifications.sweep for fn, job, _day in calls)
    assert calls[0][2] == today()
    assert all(0 < s <= 24 * 3600 for s in sleeps)


async def test_the_sweep_runs_in_a_worker_process(client: Any) -> None:
    written = await notifications.run_cpu(notifications.in_worker, notifications.sweep, today())
    assert set(written) == {"certificate.expiring", "registration.due", "credits.behind"}
    assert await notifications.run_cpu(notifications.in_worker, notifications.sweep, today()) == dict.fromkeys(
        written, 0
    ), "a second run the same day writes nothing"
