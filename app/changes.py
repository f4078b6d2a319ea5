"""The change kinds of the whole app (issue 15), put together here because the writes they apply
belong to domains on several layers: each domain's ``changes.handlers()`` says how its kinds are
applied; the staff register's take the dual-certificate gate (the certificates domain's). A decision
is told to the submitter (a notification, issue 16)."""

from __future__ import annotations

from functools import lru_cache

from bulk import changes as import_changes
from certificates import changes as certificate_changes
from certificates.services import assert_may_go_on_post
from credits import changes as credit_changes
from ethics import changes as ethics_changes
from registry.changes.services import Changes
from registry.notifications.events import change_decided
from registry.staff import changes as staff_changes
from training import changes as training_changes


@lru_cache(maxsize=1)
def app_changes() -> Changes:
    return Changes(
        [
            *staff_changes.handlers(assert_may_go_on_post),
            *certificate_changes.handlers(),
            *training_changes.handlers(),
            *ethics_changes.handlers(),
            *credit_changes.handlers(),
            *import_changes.handlers(),
        ],
        on_decided=change_decided,
    )
