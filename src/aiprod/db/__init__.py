"""The database every domain shares: engines and sessions, the declarative ``Base`` with its
column types, database errors, and the Alembic migrations.

    engine.py      engines, sessions, migrations (``upgrade``, ``ensure_migrated``)
    base.py        ``Base``, ``UTCDateTime``, ``JSON_TYPE``, ``utcnow``, ``core_table``
    errors.py      ``UnmigratedDatabase``, ``DatabaseUnavailable``, ``database_errors``
    migrations/    Alembic environment and revisions of every table
"""
