"""The embedded broker: kombu's SQLAlchemy transport on a SQLite file, polled briskly.

kombu passes every transport option to ``create_engine``, so the polling interval cannot
be set through settings; a subclass is the supported way to change it.
"""

from kombu.transport.sqlalchemy import Transport as SQLAlchemyTransport


class Transport(SQLAlchemyTransport):
    polling_interval = 0.1
