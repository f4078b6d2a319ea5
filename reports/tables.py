"""Tables of the reports app: one row per PDF issued, for checking its verification code.

The row holds what the public check may say (kind, a minimal subject label, when, how many pages)
and, for the registry itself, who generated it and the full SHA-256 digest the code is cut from.
"""

from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class ReportDocument(Table, tablename="report_document"):
    id = Serial(primary_key=True)
    code = Varchar(length=16, unique=True)  # the verification code (Crockford base 32, 80 bits)
    digest = Varchar(length=64)  # SHA-256 (hex) of the document's canonical content
    kind = Varchar(length=32, index=True)  # kernel.codes.ReportKind
    subject = Varchar(length=64)  # what it is about: "staff:12", "kindergarten:5", "district"
    subject_label = Varchar(length=200)  # what the public check shows: a masked name, a kindergarten, 全区
    title = Varchar(length=200)
    pages = Integer(default=0)
    generated_at = Timestamptz(default=TimestamptzNow())
    generated_by = Varchar(length=64)  # the account's username, or cli:<user> for the command line
