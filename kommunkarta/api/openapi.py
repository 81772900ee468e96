"""The OpenAPI 3.1 description of /api/v1, generated from the code.

Response bodies are the marshmallow schemas of `api.schemas`, turned into JSON Schema by
apispec; the filter parameters come from the fields of `InitiativeFilter` (with the
taxonomy's current slugs as enums); the paths come from the API blueprint's URL rules, each
view carrying its operation through `@documented(...)`. A view under /api/v1 without it
makes `build()` fail, so the document cannot silently leave a path out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from flask import Flask

from kommunkarta import rules
from kommunkarta.filters import InitiativeFilter, Vocabulary
from kommunkarta.services.data_io import serialise

# limits from the field rules (kommunkarta.rules), so the document says what the views check
MAX_PER_PAGE = rules.API_PER_PAGE_MAX
DEFAULT_PER_PAGE = 50
MAX_PAGE = rules.PAGE_MAX
MAX_ID = rules.ID_MAX  # the largest id the database's integer column holds
PREFIX = "/api/v1"


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
        {"maxLength": rules.LENGTHS["q"], "pattern": rules.SEARCH_TEXT_PATTERN},
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
    # here, not with the module: apispec and marshmallow take a twentieth of a second that
    # every command and worker would pay at start for a document asked for now and then
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    from kommunkarta.api import schemas

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
        schemas.Error,
        schemas.Item,
        schemas.ItemPage,
        schemas.MunicipalityCount,
        schemas.RegionCount,
        schemas.PlaceMatch,
        schemas.Taxonomy,
        schemas.YearCount,
    ):
        spec.components.schema(schema.__name__, schema=schema)
    spec.components.schema("FeatureCollection", schemas.FEATURE_COLLECTION)
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
