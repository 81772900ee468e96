"""The bodies the API answers with, as marshmallow schemas (apispec turns them into the JSON
Schema of the OpenAPI document). Their limits and choices come from the field rules and the
serialiser, so the document says what the views send."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, validate
from marshmallow import fields as f

from kommunkarta import rules
from kommunkarta.services.register import effects


def _text(description: str, **kwargs: Any) -> f.String:
    return f.String(required=True, metadata={"description": description}, **kwargs)


class Error(Schema):
    error = _text("What was wrong, in the request's language.")
    field = f.String(
        required=True,
        allow_none=True,
        metadata={"description": "The parameter at fault, or null."},
    )


class MunicipalityRef(Schema):
    code = _text(
        "Four-digit municipality code.", validate=validate.Regexp(rules.MUNICIPALITY_CODE.pattern)
    )
    name = _text("Name of the municipality.")


class Location(Schema):
    lat = f.Float(required=True, metadata={"description": "Latitude, WGS 84."})
    lon = f.Float(required=True, metadata={"description": "Longitude, WGS 84."})


class Adopter(Schema):
    code = _text(
        "Four-digit code of the adopting municipality.",
        validate=validate.Regexp(rules.MUNICIPALITY_CODE.pattern),
    )
    name = _text("Name of the adopting municipality.")
    status = _text("Status slug of its own use.")
    start_year = f.Integer(required=True, allow_none=True)


def _choice(options, description: str, **kwargs: Any) -> f.String:
    return f.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(list(options)),
        metadata={"description": description},
        **kwargs,
    )


def _maybe_bool(description: str) -> f.Boolean:
    return f.Boolean(required=True, allow_none=True, metadata={"description": description})


class Effect(Schema):
    benefit_area = f.String(
        required=True, allow_none=True, metadata={"description": "Benefit-area slug, or null."}
    )
    kind = _text("What kind of effect.", validate=validate.OneOf(list(effects.KINDS)))
    amount = f.Float(
        required=True, metadata={"description": "The amount per period (per person for hours)."}
    )
    unit = _text("Unit of the amount.", validate=validate.OneOf(list(effects.UNITS)))
    period = _choice(
        effects.PERIODS,
        "How often: per working day (220 a year), week (52), month (12), year, or once; "
        "null for a percentage or count without a period.",
    )
    people = f.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "For hours: how many people each save the amount."},
    )
    basis = _text("How the figure was arrived at.", validate=validate.OneOf(list(effects.BASES)))
    source_url = _text("A web page about the figure, or empty.")
    as_of = f.Date(required=True, allow_none=True, metadata={"description": "Date of the figure."})


class Costs(Schema):
    investment_sek = f.Integer(required=True, allow_none=True)
    running_sek_per_year = f.Integer(required=True, allow_none=True)


class Reuse(Schema):
    procurement = _choice(effects.PROCUREMENT, "How it was procured, or null.")
    others_may_call_off = _maybe_bool(
        "Whether other municipalities may call off the agreement; null if not stated."
    )
    supplier = _text("The supplier, or empty.")
    open_source_url = _text("Where its source code is published, or empty.")


class Compliance(Schema):
    personal_data = _choice(effects.PERSONAL_DATA, "Whether it processes personal data.")
    dpia = _maybe_bool("Data protection impact assessment done.")
    ai_act = _choice(effects.AI_ACT, "AI Act category as the municipality assessed it.")
    fria = _maybe_bool("Fundamental-rights impact assessment done (high risk).")


def _yearly(description: str) -> f.Integer:
    return f.Integer(
        required=True,
        allow_none=True,
        validate=validate.Range(min=0),
        metadata={"description": description},
    )


def _slugs(description: str) -> f.List:
    return f.List(f.String(), required=True, metadata={"description": description})


class Item(Schema):
    id = f.Integer(required=True)
    title = _text("Title.")
    summary = _text("One or two sentences.")
    description = _text("Longer description, plain text.")
    lang = _text(
        "The language of title, summary and description (ISO 639 code, such as sv or en).",
        validate=validate.Regexp(rules.TEXT_LANG.pattern),
    )
    status = _text("Status slug (see /api/v1/taxonomy).")
    benefit_areas = _slugs("Benefit-area slugs.")
    areas = _slugs("Operational-area slugs.")
    technologies = _slugs("Technology slugs.")
    municipalities = f.List(
        f.Nested(MunicipalityRef),
        required=True,
        metadata={"description": "Participating municipalities, by code."},
    )
    region_codes = _slugs("Two-digit codes of the counties involved.")
    start_year = f.Integer(required=True, allow_none=True)
    url = _text("Web page about the initiative, or empty.")
    contact = _text("Whom to contact, or empty.")
    location = f.Nested(
        Location,
        required=True,
        allow_none=True,
        metadata={"description": "A point, if the initiative has one."},
    )
    published_at = f.DateTime(required=True, allow_none=True)
    updated_at = f.DateTime(required=True, allow_none=True)
    last_confirmed_at = f.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "When someone last confirmed it is still correct."},
    )
    adopted_by = f.List(
        f.Nested(Adopter),
        required=True,
        metadata={"description": "Other municipalities that use it too (“we do this too”)."},
    )
    source = _text(
        "The data set it was taken from, with its case and licence "
        "(“EU Public Sector Tech Watch, PSTW ID 1234, CC BY 4.0”), or empty for our own."
    )
    is_demo = f.Boolean(required=True, metadata={"description": "Synthetic demo data."})
    effects = f.List(
        f.Nested(Effect),
        required=True,
        metadata={"description": "Effects as the municipality states them."},
    )
    hours_per_year = _yearly(
        "Hours a year from the effects given in hours (52 weeks, 12 months, 220 working "
        "days a year; one-off effects excluded), or null if none."
    )
    sek_per_year = _yearly(
        "Kronor a year from the effects given in SEK, or null; hours are never turned into money."
    )
    costs = f.Nested(Costs, required=True)
    reuse = f.Nested(Reuse, required=True)
    compliance = f.Nested(
        Compliance,
        required=True,
        metadata={"description": "The municipality's own assessment."},
    )


class ItemPage(Schema):
    items = f.List(f.Nested(Item), required=True)
    total = f.Integer(required=True, validate=validate.Range(min=0))
    page = f.Integer(required=True, validate=validate.Range(min=1))
    per_page = f.Integer(required=True, validate=validate.Range(min=1, max=rules.API_PER_PAGE_MAX))


class MunicipalityCount(Schema):
    code = _text(
        "Four-digit municipality code.", validate=validate.Regexp(rules.MUNICIPALITY_CODE.pattern)
    )
    name = _text("Name.")
    region_code = _text(
        "Two-digit county code.", validate=validate.Regexp(rules.REGION_CODE.pattern)
    )
    count = f.Integer(
        required=True,
        metadata={
            "description": "Published initiatives under the filters that the municipality "
            "takes part in or has adopted."
        },
    )
    hours_per_year = f.Integer(
        required=True,
        validate=validate.Range(min=0),
        metadata={
            "description": "The sum of `hours_per_year` over the initiatives `count` counts "
            "(their municipalities' own estimates; 0 if none states one)."
        },
    )
    sek_per_year = f.Integer(
        required=True,
        validate=validate.Range(min=0),
        metadata={"description": "The sum of `sek_per_year` over the same initiatives."},
    )


class RegionCount(Schema):
    code = _text("Two-digit county code.", validate=validate.Regexp(rules.REGION_CODE.pattern))
    name = _text("Name.")
    count = f.Integer(
        required=True,
        metadata={"description": "Published initiatives under the filters in the county."},
    )
    municipalities_with_initiatives = f.Integer(required=True)


class YearCount(Schema):
    year = f.Integer(required=True, metadata={"description": "Start year."})
    count = f.Integer(
        required=True,
        validate=validate.Range(min=0),
        metadata={"description": "Published initiatives under the filters that started then."},
    )


class PlaceMatch(Schema):
    code = _text("Four-digit municipality or two-digit county code.")
    name = _text("Name.")
    level = _text(
        "`municipality` or `region` (a county).", validate=validate.OneOf(rules.PLACE_LEVELS)
    )
    url = _text("The place's page on this site.")


class Term(Schema):
    slug = _text("Identifier used in filters and items.")
    name_sv = _text("Swedish name.")
    name_en = _text("English name.")
    description_sv = _text("What the term covers, in Swedish; may be empty.")
    description_en = _text("What the term covers, in English; may be empty.")
    retired = f.Boolean(
        required=True,
        metadata={
            "description": "Retired: no longer offered for new initiatives, still carried by "
            "older ones and valid in filters."
        },
    )
    merged_into = f.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The slug of the term this one was merged into (a filter with this "
            "slug selects that term), or null."
        },
    )


class Taxonomy(Schema):
    benefit_areas = f.List(f.Nested(Term), required=True)
    areas = f.List(f.Nested(Term), required=True)
    statuses = f.List(f.Nested(Term), required=True)
    technologies = f.List(f.Nested(Term), required=True)


FEATURE_COLLECTION = {
    "type": "object",
    "description": "GeoJSON FeatureCollection (RFC 7946) in WGS 84.",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": {"type": "object"}},
    },
}
