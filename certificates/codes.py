"""The certificates domain's own codes and their Chinese labels (the certificate types and statuses
are shared: kernel.codes).

Codes are a public contract (../shared/API.md): extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


class RegistrationResult(StrEnum):
    """定期注册 outcomes: 注册合格, 暂缓注册, 注册不合格."""

    passed = "passed"
    deferred = "deferred"
    failed = "failed"


LABELS[RegistrationResult] = {"passed": "注册合格", "deferred": "暂缓注册", "failed": "注册不合格"}
