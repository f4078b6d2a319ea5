"""Piccolo configuration: the engine comes from one setting, REGISTRY_DATABASE_URL.

unset            -> SQLite file ./var/registry.db (created on first use)
sqlite:///PATH   -> that SQLite file
postgresql://... -> PostgreSQL
"""

from piccolo.conf.apps import AppRegistry

from kernel.db import make_engine
from kernel.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "registry.piccolo_app",
        "registry.mail.piccolo_app",
        "training.piccolo_app",
        "credits.piccolo_app",
        "reports.piccolo_app",
        "staffing.piccolo_app",
        "bulk.piccolo_app",
        "registry.notifications.piccolo_app",
    ]
)
