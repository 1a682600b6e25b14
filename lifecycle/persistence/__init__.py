"""Persistence: SQLModel tables, repositories in SQLAlchemy Core, the unit of work, migrations."""
