"""The OpenAPI 3.1 description of /api/v1, generated from the code.

Response bodies are marshmallow schemas turned into JSON Schema by apispec; the filter
parameters come from the fields of `InitiativeFilter` (with the taxonomy's current slugs as
enums); the paths come from the API blueprint's URL rules, each view carrying its operation
through `@documented(...)`. A view under /api/v1 without it makes `build()` fail, so the
document cannot silently leave a path out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema, validate
from marshmallow import fields as f

from kommunkarta import rules
from kommunkarta.filters import InitiativeFilter, Vocabulary
from kommunkarta.services.data_io import serialise
from kommunkarta.services.register import effects

# limits from the field rules (kommunkarta.rules), so the document says what the views check
MAX_PER_PAGE = rules.API_PER_PAGE_MAX
DEFAULT_PER_PAGE = 50
MAX_PAGE = rules.PAGE_MAX
LEVELS = ("municipality", "region")
MAX_ID = rules.ID_MAX  # the largest id the database's integer column holds
PREFIX = "/api/v1"


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
    per_page = f.Integer(required=True, validate=validate.Range(min=1, max=MAX_PER_PAGE))


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
    level = _text("`municipality` or `region` (a county).", validate=validate.OneOf(LEVELS))
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

YEARS: dict[str, Any] = {"minimum": rules.FILTER_YEAR_MIN, "maximum": rules.FILTER_YEAR_MAX}

# filter parameter -> (description, taxonomy kind whose slugs it takes, extra JSON Schema)
FILTERS: dict[str, tuple[str, str | None, dict[str, Any]]] = {
    "benefit": ("Benefit-area slug; repeatable (OR).", "benefit", {}),
    "area": ("Operational-area slug; repeatable (OR).", "area", {}),
    "status": ("Status slug; repeatable (OR).", "status", {}),
    "tech": ("Technology slug; repeatable (OR).", "tech", {}),
    "region": ("Two-digit county code.", None, {"pattern": rules.REGION_CODE.pattern}),
    "municipality": (
        "Four-digit municipality code.",
        None,
        {"pattern": rules.MUNICIPALITY_CODE.pattern},
    ),
    "q": (
        "Free text over title, summary and description; no control characters.",
        None,
        {"maxLength": rules.LENGTHS["q"], "pattern": r"^[^\u0000-\u001f\u007f-\u009f]*$"},
    ),
    "year_from": ("First start year, inclusive.", None, YEARS),
    "year_to": ("Last start year, inclusive.", None, YEARS),
    "reuse": (
        "What others can take over: `call-off` (other municipalities may call off the "
        "agreement), `open-source` (its code is published); repeatable (OR).",
        "reuse",
        {},
    ),
    "risk": (
        "AI Act category as the municipality assessed it; `unassessed` also matches "
        "initiatives that say nothing; repeatable (OR).",
        "risk",
        {},
    ),
}


# the place filters take the codes the database knows, as the taxonomy filters take its slugs
# (a well-formed code of no county or municipality is a 400, like an unknown slug)
PLACE_CODES = {"region": "regions", "municipality": "municipalities"}


@dataclass(frozen=True)
class Operation:
    summary: str
    schema: str | dict[str, Any]  # a component name or an inline JSON Schema
    filters: bool = False
    paging: bool = False
    media_type: str = "application/json"
    not_found: bool = False
    conditional: bool = False
    id_parameter: str = ""  # the name of a path parameter holding an id
    parameters: tuple[dict[str, Any], ...] = ()  # other query parameters, inline


def documented(summary: str, schema: str | dict[str, Any], **options: Any):
    """Attach the OpenAPI operation of a GET view under /api/v1."""

    def attach(view):
        view.openapi = Operation(summary, schema, **options)
        return view

    return attach


def _filter_parameters(vocabulary: Vocabulary) -> dict[str, dict[str, Any]]:
    parameters = {}
    for field in fields(InitiativeFilter):
        description, kind, extra = FILTERS[field.name]  # a new filter must be described here
        extra = {key: value() if callable(value) else value for key, value in extra.items()}
        if kind is not None:
            item = {"type": "string", "enum": sorted(vocabulary.known(kind))}
            schema: dict[str, Any] = {"type": "array", "items": item}
            style = {"style": "form", "explode": True}
        else:
            numeric = "minimum" in extra
            schema = {"type": "integer" if numeric else "string", **extra}
            if field.name in PLACE_CODES:
                schema["enum"] = sorted(getattr(vocabulary, PLACE_CODES[field.name]))
            style = {}
        parameters[field.name] = {
            "name": field.name,
            "in": "query",
            "required": False,
            "description": description,
            "schema": schema,
            "allowEmptyValue": True,  # as a form sends an unset field: the same as leaving it out
            **style,
        }
    return parameters


PAGING = {
    "page": {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "Page number, from 1.",
        "allowEmptyValue": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
    "per_page": {
        "name": "per_page",
        "in": "query",
        "required": False,
        "description": f"Items per page, at most {MAX_PER_PAGE}.",
        "allowEmptyValue": True,
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
    },
}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _operation(operation: Operation, endpoint: str) -> dict[str, Any]:
    schema = (
        _ref("schemas", operation.schema) if isinstance(operation.schema, str) else operation.schema
    )
    parameters: list[dict[str, Any] | str] = []
    if operation.id_parameter:
        parameters.append(
            {
                "name": operation.id_parameter,
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            }
        )
    if operation.filters:
        parameters += list(FILTERS)  # apispec turns component names into $refs
    if operation.paging:
        parameters += list(PAGING)
    parameters += list(operation.parameters)
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {operation.media_type: {"schema": schema}}}
    }
    if operation.conditional:
        responses["200"]["headers"] = {
            "ETag": {"schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string"}},
        }
        responses["304"] = {"description": "Not modified (the ETag in If-None-Match matches)."}
    if operation.filters or operation.paging or operation.id_parameter or operation.parameters:
        responses["400"] = "BadRequest"
    if operation.not_found:
        responses["404"] = "NotFound"
    return {
        "get": {
            "operationId": endpoint.removeprefix("api."),
            "summary": operation.summary,
            "parameters": parameters,
            "responses": responses,
        }
    }


def _openapi_path(rule: str) -> str:
    """/initiatives/<initiative_id> -> /initiatives/{initiative_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def build(app: Flask, vocabulary: Vocabulary) -> dict[str, Any]:
    """The OpenAPI document of every route under /api/v1; raises LookupError if one of them
    has no `@documented` operation."""
    spec = APISpec(
        title="Kommunkartan API",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": (
                "Read-only open data about AI initiatives in Swedish municipalities: "
                "published initiatives, counts per municipality and county, the taxonomy "
                "and the boundaries. Filters combine with AND; a repeated filter matches "
                f"any of its values. Data licence: {serialise.LICENCE} ({serialise.LICENCE_URL}). "
                "Every response allows any origin (CORS)."
            ),
            "license": {"name": serialise.LICENCE, "url": serialise.LICENCE_URL},
        },
    )
    for schema in (
        Error,
        Item,
        ItemPage,
        MunicipalityCount,
        RegionCount,
        PlaceMatch,
        Taxonomy,
        YearCount,
    ):
        spec.components.schema(schema.__name__, schema=schema)
    spec.components.schema("FeatureCollection", FEATURE_COLLECTION)
    for name, parameter in {**_filter_parameters(vocabulary), **PAGING}.items():
        spec.components.parameter(name, parameter["in"], parameter)
    error_body = {"application/json": {"schema": _ref("schemas", "Error")}}
    spec.components.response(
        "BadRequest",
        {
            "description": "A parameter is malformed or unknown; `field` names it.",
            "content": error_body,
        },
    )
    spec.components.response(
        "NotFound",
        {"description": "No published initiative has this id.", "content": error_body},
    )
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        operation = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if operation is None:
            raise LookupError(f"{rule.rule} has no OpenAPI description (@documented)")
        spec.path(path=_openapi_path(rule.rule), operations=_operation(operation, rule.endpoint))
    return spec.to_dict()
