"""STARTTLS (the default) with a login, implicit TLS (smtps://), and what is refused: a server without
STARTTLS (no fall back to plain text), a certificate nobody vouches for. A certificate made for the test
run, trusted through REGISTRY_SMTP_CA_FILE."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kernel.db import write_transaction
from kernel.settings import Settings
from registry.mail.delivery import deliver_due
from registry.mail.outbox import MailItem, enqueue, outbox_rows
from tests.mail.conftest import SmtpServer, account_with_email

pytestmark = pytest.mark.usefixtures("empty_outbox")
PASSWORD = "pa/ss:w0rd@kg"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA): (certificate, key) PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "registry test SMTP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


class TlsServer(SmtpServer):
    def __init__(self, context: ssl.SSLContext, implicit: bool) -> None:
        super().__init__()
        self.context, self.implicit = context, implicit
        self.logins: list[tuple[str, str]] = []

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password.decode() == PASSWORD)

    def start(self) -> None:
        if self.implicit:
            self.controller = Controller(
                self.box,
                hostname="127.0.0.1",
                port=self.port,
                ssl_context=self.context,
                authenticator=self.authenticate,
                auth_require_tls=False,  # aiosmtpd knows TLS from STARTTLS only; here all of it is TLS
            )
        else:
            self.controller = Controller(
                self.box,
                hostname="127.0.0.1",
                port=self.port,
                tls_context=self.context,
                require_starttls=True,
                authenticator=self.authenticate,
                auth_require_tls=True,
            )
        self.controller.start()


@pytest.fixture
def tls_server(certificate: tuple[Path, Path], request: pytest.FixtureRequest) -> Iterator[TlsServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    server = TlsServer(context, implicit=request.param == "implicit")
    server.start()
    yield server
    server.stop()


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.text: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.text.append(record.getMessage())


async def _one(source: str) -> dict[str, Any]:
    account = await account_with_email()
    async with write_transaction():
        await enqueue([MailItem(source, account, "加密发送", "经 TLS 发送的正文")])
    (row,) = await outbox_rows(source=source)
    return row


@pytest.mark.parametrize(
    ("tls_server", "url"),
    [("starttls", "smtp://registry:{pw}@127.0.0.1:{port}"), ("implicit", "smtps://registry:{pw}@127.0.0.1:{port}")],
    indirect=["tls_server"],
)
async def test_tls_and_a_login(
    tls_server: TlsServer, mail_settings: Settings, certificate: tuple[Path, Path], url: str
) -> None:
    secret = url.format(pw="pa%2Fss%3Aw0rd%40kg", port=tls_server.port)
    settings = Settings.model_validate(
        mail_settings.model_dump() | {"smtp_url": secret, "smtp_ca_file": certificate[0]}
    )
    row = await _one(f"tls:{tls_server.implicit}")
    logged = Records()
    logger = logging.getLogger("registry.mail")
    logger.addHandler(logged)
    try:
        report = await deliver_due(settings=settings)
    finally:
        logger.removeHandler(logged)
    assert (report.sent, report.retried) == (1, 0), (await outbox_rows(id=row["id"]))[0]["last_error"]
    assert tls_server.logins == [("registry", PASSWORD)]
    assert tls_server.box.message_ids() == [row["message_id"]]
    assert str(tls_server.box.received[0]["Subject"]) == "加密发送"
    assert PASSWORD not in repr(settings) and all(PASSWORD not in line for line in logged.text)


@pytest.mark.parametrize("tls_server", ["starttls"], indirect=True)
async def test_an_unknown_certificate_is_refused_and_retried(tls_server: TlsServer, mail_settings: Settings) -> None:
    settings = Settings.model_validate(
        mail_settings.model_dump() | {"smtp_url": f"smtp://registry:x@127.0.0.1:{tls_server.port}"}
    )
    row = await _one("tls:unknown-ca")
    report = await deliver_due(settings=settings)
    assert (report.sent, report.retried) == (0, 1)
    (after,) = await outbox_rows(id=row["id"])
    assert after["status"] == "pending" and "CERTIFICATE_VERIFY_FAILED" in after["last_error"]
    assert tls_server.logins == [] and tls_server.box.received == []


async def test_starttls_is_never_given_up_for_plain_text(smtp: SmtpServer, mail_settings: Settings) -> None:
    """The test server offers no STARTTLS: with the default security nothing is sent in the clear."""
    settings = Settings.model_validate(mail_settings.model_dump() | {"smtp_url": f"smtp://127.0.0.1:{smtp.port}"})
    row = await _one("tls:downgrade")
    report = await deliver_due(settings=settings)
    assert (report.sent, report.retried) == (0, 1)
    (after,) = await outbox_rows(id=row["id"])
    assert "STARTTLS" in after["last_error"] or "starttls" in after["last_error"].lower()
    assert smtp.box.received == []
