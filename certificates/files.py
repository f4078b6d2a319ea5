"""Certificates as a file kind (``kernel.files``): the columns of the import template and the export,
the export's query (each certificate with its holder), and a certificate row as column values (what the
export writes and what an import compares a row with when the certificate is registered)."""

from __future__ import annotations

from datetime import date
from typing import Any

from certificates.rules import effective_status
from kernel.codes import CertificateStatus, CertificateType
from kernel.files import DATE, ENUM, ID, ID_NOTE, Column, Export, Kind, T, derived, info
from kernel.rows import as_day

EXPORT_SQL = (
    "SELECT c.*, s.id_number, s.name, k.code AS kindergarten_code FROM certificate c "
    "JOIN staff s ON s.id = c.staff JOIN kindergarten k ON k.id = s.kindergarten "
    "WHERE 1 = 1{where} ORDER BY k.code, s.name, s.id, c.type, c.issued_on, c.id"
)


def certificate_values(r: dict[str, Any], on: date) -> dict[str, Any]:
    """A certificate row joined with its holder (``id_number``, ``name``, ``kindergarten_code``); its
    status as of ``on``."""
    return {
        "id_number": r["id_number"],
        "name": r.get("name"),
        "kindergarten_code": r.get("kindergarten_code"),
        "type": r["type"],
        "number": r["number"],
        "issuer": r["issuer"] or None,
        "issued_on": as_day(r["issued_on"]),
        "expires_on": as_day(r["expires_on"]),
        "status": effective_status(r["status"], as_day(r["expires_on"]), on).value,
        "reason": r.get("reason") or None,
    }


CERTIFICATES = Kind(
    "certificates",
    "证书",
    (
        Column("id_number", "身份证号", ID, required=True, lookup=True, note=ID_NOTE, width=22),
        info("name", "姓名", note="仅供核对，不导入"),
        derived("kindergarten_code", "园所代码"),
        Column("type", "证书类型", ENUM, required=True, enum=CertificateType, width=20),
        Column("number", "证书编号", ID, required=True, note="文本格式；教师资格证为 17 位数字", width=22),
        Column("issuer", "发证机构", T, width=20),
        Column("issued_on", "发证日期", DATE, required=True),
        Column("expires_on", "有效期至", DATE, note="长期有效不填"),
        derived("status", "证书状态", ENUM, CertificateStatus),
        derived("reason", "状态说明"),
    ),
    export=Export(EXPORT_SQL, kindergarten_column="s.kindergarten", values=certificate_values),
)
