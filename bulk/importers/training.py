"""Importing training results (each through ``training.results.record_result``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bulk.importers.base import (
    Checked,
    Outcome,
    PersonRows,
    chunks,
    each_through_service,
    validate,
)
from bulk.rules import (
    ParsedRow,
    RowError,
    error_for,
    first_rows,
    input_dict,
)
from kernel.db import fetch_all
from kernel.i18n import _
from kernel.rows import as_day, as_decimal
from kernel.workers import run_in_thread
from training.files import TRAINING_RESULTS
from training.results import record_result
from training.schemas import ResultCreate

SESSIONS_SQL = (
    "SELECT ts.id, ts.starts_on, c.code FROM training_session ts JOIN training_course c ON c.id = ts.course "
    "WHERE c.code IN ({})"
)
ENROLMENTS_SQL = (
    "SELECT e.id, e.session, e.staff, r.id AS result_id, r.hours, r.passed, r.score, r.completed_on "
    "FROM training_enrolment e LEFT JOIN training_result r ON r.enrolment = e.id WHERE e.session IN ({})"
)


ENROL_PATH = "/api/v1/training/sessions/{session}/enrolments"


class TrainingResultImporter(PersonRows):
    """Each new result is recorded by ``training.results.record_result`` (its rules, its audit event,
    and the credits entry a passed result writes), one savepoint per row inside the import's
    transaction: a row the service refuses is rolled back alone and reported."""

    kind = TRAINING_RESULTS

    async def lookup(self, rows: list[ParsedRow]) -> None:
        await self.lookup_people(rows)
        codes = sorted({v for r in rows if isinstance(v := r.values.get("course_code"), str)})
        self.sessions: dict[tuple[str, date], list[int]] = {}
        self.session_ids: dict[int, tuple[str, date]] = {}
        for part in chunks(codes):
            for s in await fetch_all(SESSIONS_SQL.format(", ".join("{}" for _i in part)), *part):
                starts = as_day(s["starts_on"])
                assert starts is not None
                self.sessions.setdefault((s["code"], starts), []).append(s["id"])
                self.session_ids[s["id"]] = (s["code"], starts)
        self.enrolments: dict[tuple[int, int], dict[str, Any]] = {}
        for part in chunks(sorted(self.session_ids)):
            for e in await fetch_all(ENROLMENTS_SQL.format(", ".join("{}" for _i in part)), *part):
                self.enrolments[(e["session"], e["staff"])] = e

    def _session(self, row: ParsedRow, errors: list[RowError]) -> int | None:
        code, starts, given = (row.values.get(k) for k in ("course_code", "session_starts_on", "session_id"))
        if code is None or not isinstance(starts, date):
            return None
        found = self.sessions.get((code, starts), [])
        if given is not None:
            if isinstance(given, int) and given in found:
                return given
            errors.append(
                error_for(
                    self.kind,
                    row.row,
                    "session_id",
                    _(
                        "session {session} is not a session of {course} from {day}",
                        session=given,
                        course=code,
                        day=starts,
                    ),
                )
            )
            return None
        if not found:
            errors.append(
                error_for(
                    self.kind,
                    row.row,
                    "session_starts_on",
                    _("no session of {course} starts on {day}", course=code, day=starts),
                )
            )
            return None
        if len(found) > 1:
            ids = ", ".join(str(i) for i in sorted(found))
            errors.append(
                error_for(
                    self.kind,
                    row.row,
                    "session_id",
                    _(
                        "{count} sessions of {course} start on {day} ({ids}): give 班次编号",
                        count=len(found),
                        course=code,
                        day=starts,
                        ids=ids,
                    ),
                )
            )
            return None
        return found[0]

    def check(self, rows: list[ParsedRow]) -> Checked:

        out = Checked()
        keys: dict[int, tuple[int, int]] = {}
        for row in rows:
            errors = list(row.errors)
            person = self.person(row, errors)
            session = self._session(row, errors)
            if person is None or session is None:
                out.errors.extend(errors)
                continue
            enrolment = self.enrolments.get((session, person["id"]))
            if enrolment is None:
                errors.append(
                    error_for(
                        self.kind,
                        row.row,
                        "enrolment_id",
                        _(
                            "not enrolled in session {session}: enrol the person first (POST {path})",
                            session=session,
                            path=ENROL_PATH.format(session=session),
                        ),
                    )
                )
                out.errors.extend(errors)
                continue
            if enrolment["result_id"] is not None:
                existing = {
                    "hours": as_decimal(enrolment["hours"]),
                    "passed": bool(enrolment["passed"]),
                    "score": as_decimal(enrolment["score"]),
                    "completed_on": as_day(enrolment["completed_on"]),
                }
                what = _("enrolment {enrolment_id}'s result", enrolment_id=enrolment["id"])
                if not errors and self.existing_row(row, existing, what, errors):
                    out.skipped += 1
                    continue
                if not errors:
                    errors.append(
                        error_for(
                            self.kind,
                            row.row,
                            "enrolment_id",
                            _("enrolment {enrolment_id} has a result already", enrolment_id=enrolment["id"]),
                        )
                    )
                out.errors.extend(errors)
                continue
            data = input_dict(self.kind, row.values, enrolment_id=enrolment["id"])
            model = validate(self.kind, row, ResultCreate, data, errors)
            if errors or model is None:
                out.errors.extend(errors)
                continue
            keys[row.row] = (session, person["id"])
            out.new.append((row.row, model))
        repeated = first_rows(keys.items())
        for row_no, first in repeated.items():
            message = _("repeats the person and session of row {first}", first=first)
            out.errors.append(error_for(self.kind, row_no, "id_number", message))
        out.new = [(r, m) for r, m in out.new if r not in repeated]
        out.errors.sort(key=lambda e: e.row)
        return out

    async def run(self, rows: list[ParsedRow], *, write: bool, valid_only: bool) -> Outcome:
        """Every new row goes through the service, also when other rows failed already or in a dry run,
        so the answer lists every bad row; the import's transaction is rolled back unless it is kept."""
        await self.lookup(rows)
        checked = await run_in_thread(self.check, rows)
        outcome = Outcome(skipped=checked.skipped, errors=list(checked.errors))
        await self._record(checked.new, outcome)
        return outcome

    async def _record(self, new: list[tuple[int, Any]], outcome: Outcome) -> None:

        await each_through_service(self, new, outcome, lambda model: record_result(self.who, model), "enrolment_id")
