"""The relational data model, portable between SQLite and PostgreSQL.

Municipality and region codes are strings ("0180" keeps its zero) and are the primary keys,
so joins with the geodata never go through names.

The whole schema stays in this one module although it is over 400 lines: read top to bottom
it is the data model of DESIGN.md, and the Alembic migrations are written against it.
"""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    case,
    false,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class Base(DeclarativeBase):
    pass


class State(enum.StrEnum):
    """Publication states of an initiative; only PUBLISHED is ever shown to the public."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    MODERATOR = "moderator"
    ADMIN = "admin"


class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))

    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="region", order_by="Municipality.name"
    )


class Municipality(Base):
    __tablename__ = "municipalities"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)

    region: Mapped[Region] = relationship(back_populates="municipalities")


class Term(Base):
    """Columns shared by the four taxonomy tables (a table of its own for none)."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_sv: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Set when an admin changes the term in any way: init-db leaves it as the admin made it
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What the term means, for filter help and the API; empty until an admin writes it
    description_sv: Mapped[str] = mapped_column(Text, default="", server_default="")
    description_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A retired term is offered nowhere new but stays on the initiatives that carry it and
    # in links; a term merged into another (its slug) is retired and read as that one.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    merged_into: Mapped[str | None] = mapped_column(String(60))

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_sv


class BenefitArea(Term):
    __tablename__ = "benefit_areas"


class OperationalArea(Term):
    __tablename__ = "operational_areas"


class Status(Term):
    __tablename__ = "statuses"


class Technology(Term):
    __tablename__ = "technologies"


# Any one of the four taxonomy tables, for code that handles them alike
TermModel = type[Term]


def _link_table(name: str, target: str, key: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column(
            "initiative_id",
            ForeignKey("initiatives.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column(key, ForeignKey(target, ondelete="CASCADE"), primary_key=True, index=True),
    )


initiative_municipalities = _link_table(
    "initiative_municipalities", "municipalities.code", "municipality_code"
)
initiative_benefit_areas = _link_table(
    "initiative_benefit_areas", "benefit_areas.id", "benefit_area_id"
)
initiative_areas = _link_table("initiative_areas", "operational_areas.id", "area_id")
initiative_technologies = _link_table("initiative_technologies", "technologies.id", "technology_id")

user_municipalities = Table(
    "user_municipalities",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_code", ForeignKey("municipalities.code"), primary_key=True),
)

# One row whose token changes with every write to public data: cached query results are keyed
# on it (kommunkarta.cache). `serial` counts those writes, and `data_changes` names the
# initiatives each one touched (initiative_id null: anything may have changed), so that the
# in-memory counts (services.register.count_index) reload only those.
data_version = Table(
    "data_version",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(32), nullable=False),
    Column("serial", BigInteger, nullable=False, server_default="0"),
    # a token that changes only with writes not only about named initiatives: results read
    # from the taxonomy and the places alone are kept until it changes
    Column("reference_token", String(32), nullable=False, server_default=""),
)
data_changes = Table(
    "data_changes",
    Base.metadata,
    Column("serial", BigInteger, nullable=False, index=True),
    Column("initiative_id", Integer),
)


class Initiative(Base):
    __tablename__ = "initiatives"
    __table_args__ = (
        Index("ix_initiatives_state_start_year", "state", "start_year"),
        # the table's and the API's default order (newest change first) without a sort
        Index("ix_initiatives_state_updated_at", "state", "updated_at", "id"),
        # the feed's order (latest published first, then the highest id) read from an index
        # instead of sorting every published initiative; PostgreSQL puts nulls first in a
        # descending index unless told, SQLite puts them last and cannot be told
        Index("ix_initiatives_feed_order", "state", "published_at", "id").ddl_if(dialect="sqlite"),
        Index(
            "ix_initiatives_feed_order",
            "state",
            text("published_at DESC NULLS LAST"),
            text("id DESC"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id"), index=True)
    start_year: Mapped[int | None] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), default=State.DRAFT)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Case-folded title, summary and description: portable, Unicode-aware free-text search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moderation_note: Mapped[str] = mapped_column(Text, default="")
    # Optimistic locking: every UPDATE checks and increments it, so two people saving the
    # same initiative cannot silently overwrite each other.
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    # An edit of a published initiative waits here (JSON, see services.register.content.Content)
    # with its own state until a moderator publishes it; the public keeps seeing the row.
    pending: Mapped[str | None] = mapped_column(Text)
    pending_state: Mapped[str | None] = mapped_column(String(16), index=True)
    is_suggestion: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # How to reach whoever suggested it: for moderators only, never shown publicly.
    suggester_contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # An initiative taken from another data set: its case there ("pstw:1234"), so that a newer
    # file updates it instead of adding it twice, and the source and licence to attribute.
    external_ref: Mapped[str | None] = mapped_column(String(100), index=True, unique=True)
    source: Mapped[str] = mapped_column(String(200), default="", server_default="")
    licence: Mapped[str] = mapped_column(String(60), default="", server_default="")
    # The language of title, summary and description (BCP 47), marked up with `lang` wherever
    # they are shown (WCAG 3.1.2): "sv" for our own, "en" for the PSTW's cases.
    lang: Mapped[str] = mapped_column(String(8), default="sv", server_default="sv")
    # When someone last vouched that the published content is still correct: a moderator
    # publishing it, or a coordinator's "still correct" (services.register.freshness).
    last_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What it brings, per year, derived from its effects whenever they are written
    # (services.register.effects.totals); null when no effect is in that unit. Stored so
    # that the map sums them per municipality as cheaply as it counts.
    hours_per_year: Mapped[float | None] = mapped_column(Float)
    sek_per_year: Mapped[float | None] = mapped_column(Float)
    # Costs in whole kronor, shown only when given.
    investment_sek: Mapped[int | None] = mapped_column(BigInteger)
    running_sek_per_year: Mapped[int | None] = mapped_column(BigInteger)
    # Reuse facts: how it was procured, whether other municipalities may call off the
    # agreement, the supplier, and where its source code is published.
    procurement: Mapped[str | None] = mapped_column(String(24))
    others_may_call_off: Mapped[bool | None] = mapped_column(Boolean, index=True)
    supplier: Mapped[str] = mapped_column(String(200), default="", server_default="")
    open_source_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Compliance facts as the municipality itself assessed them (see effects.COMPLIANCE).
    personal_data: Mapped[str | None] = mapped_column(String(8))
    dpia: Mapped[bool | None] = mapped_column(Boolean)
    ai_act: Mapped[str | None] = mapped_column(String(16), index=True)
    fria: Mapped[bool | None] = mapped_column(Boolean)

    status: Mapped[Status] = relationship()
    author: Mapped[User | None] = relationship()
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=initiative_municipalities, order_by=Municipality.code
    )
    benefit_areas: Mapped[list[BenefitArea]] = relationship(
        secondary=initiative_benefit_areas, order_by=BenefitArea.position
    )
    areas: Mapped[list[OperationalArea]] = relationship(
        secondary=initiative_areas, order_by=OperationalArea.position
    )
    technologies: Mapped[list[Technology]] = relationship(
        secondary=initiative_technologies, order_by=Technology.position
    )
    effects: Mapped[list[Effect]] = relationship(
        back_populates="initiative",
        order_by="Effect.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    adoptions: Mapped[list[Adoption]] = relationship(
        back_populates="initiative",
        order_by="Adoption.municipality_code",
        cascade="all, delete-orphan",
        passive_deletes=True,  # the database deletes those not loaded (ON DELETE CASCADE)
    )

    __mapper_args__ = {"version_id_col": version}

    @staticmethod
    def fold(title: str, summary: str, description: str) -> str:
        return "\n".join((title, summary, description)).casefold()

    def refresh_search_text(self) -> None:
        self.search_text = self.fold(self.title, self.summary or "", self.description or "")

    @hybrid_property
    def review_state(self) -> str:
        """Where the working copy stands: a pending edit's state while a published initiative
        is being changed, else the publication state."""
        if self.state == State.PUBLISHED and self.pending_state:
            return self.pending_state
        return self.state

    @review_state.inplace.expression
    @classmethod
    def _review_state_expression(cls) -> ColumnElement[str]:
        published_with_edit = and_(cls.state == State.PUBLISHED, cls.pending_state.is_not(None))
        return case((published_with_edit, cls.pending_state), else_=cls.state)


class Effect(Base):
    """One benefit an initiative brings, as its municipality states it: "2 hours per week for
    30 case workers, measured". The amount is per `period` (`once` for a one-off) and, for
    hours, per person when `people` is given; services.register.effects turns it into a
    yearly figure."""

    __tablename__ = "effects"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    benefit_area_id: Mapped[int | None] = mapped_column(
        ForeignKey("benefit_areas.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(8))
    period: Mapped[str | None] = mapped_column(String(8))
    people: Mapped[int | None] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(12))
    source_url: Mapped[str] = mapped_column(String(500), default="")
    as_of: Mapped[date | None] = mapped_column(Date)

    initiative: Mapped[Initiative] = relationship(back_populates="effects")
    benefit_area: Mapped[BenefitArea | None] = relationship()


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: invited, not set
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Every session cookie carries this token beside the id (get_id); replacing it ends
    # every session of the account on the server (services.accounts.end_sessions).
    session_token: Mapped[str] = mapped_column(
        String(64), default=new_session_token, server_default=""
    )
    # Made by an organisation sign-in (OpenID Connect) for someone unknown: inactive until an
    # admin approves it with a role and municipalities (services.org_accounts).
    awaiting_approval: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=user_municipalities, order_by=Municipality.code
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot sign in
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie names
        return f"{self.id}:{self.session_token}"


class Revision(Base):
    """Append-only log of changes to initiatives: who, when, what."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[str] = mapped_column(Text, default="{}")  # JSON: field -> [old, new]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship()


class Adoption(Base):
    """A municipality that uses another's published initiative as well ("we do this too"),
    with the status and start year of its own use. Counted as that municipality's initiative
    on the map and in the counts (services.register.initiatives)."""

    __tablename__ = "adoptions"
    __table_args__ = (UniqueConstraint("initiative_id", "municipality_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipalities.code"), index=True)
    status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id"))
    start_year: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # the adopting coordinator's latest "still correct"; starts as created_at
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    initiative: Mapped[Initiative] = relationship(back_populates="adoptions")
    municipality: Mapped[Municipality] = relationship()
    status: Mapped[Status] = relationship()


class NoneConfirmation(Base):
    """A municipality's statement that it has no AI initiatives, the latest one only."""

    __tablename__ = "none_confirmations"

    municipality_code: Mapped[str] = mapped_column(
        ForeignKey("municipalities.code"), primary_key=True
    )
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Report(Base):
    """A reader's report of a mistake in a published initiative, or a suggested change.

    The text and the contact are for the initiative's coordinators and the moderators only;
    the reply that resolves it is shown on the initiative's public page."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reply: Mapped[str] = mapped_column(Text, default="")

    initiative: Mapped[Initiative] = relationship()


class AuditEntry(Base):
    """Append-only log of what accounts did (services.audit): sign-ins, account changes,
    imports, publications and rejections, with who, when and from which address. Entries
    are never changed; those older than services.audit.KEEP are deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(32))
    # the account that acted (None: nobody signed in, e.g. a failed sign-in); its address
    # is kept as well, so the entry still says who after the account is gone
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    address: Mapped[str] = mapped_column(String(64), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")  # "initiative 12", a file
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON


class OrganisationAlias(Base):
    """A moderator's decision about an organisation's name that import-pstw could not place:
    the municipality it means, or none (not a municipality). Every later import uses it."""

    __tablename__ = "organisation_aliases"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)  # organisations.plain()
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipalities.code"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    municipality: Mapped[Municipality | None] = relationship()


class WaitingCase(Base):
    """A case of another data set that names an organisation nobody has placed yet: kept,
    with its row, until a moderator decides the names (services.data_io.waiting)."""

    __tablename__ = "waiting_cases"

    external_ref: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(Text, default="")
    names: Mapped[str] = mapped_column(Text, default="[]")  # JSON: the unplaced names, candidates
    row: Mapped[str] = mapped_column(Text, default="{}")  # JSON: published column -> cell
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
