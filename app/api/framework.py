"""A small, explicit API layer: each operation declares its parameters and body as pydantic
models; the same declarations validate requests and generate the OpenAPI description, so the
two cannot drift. Errors are RFC 9457 problem details with a Russian title."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ValidationError

from app.http_errors import PROBLEM_TYPE, Problem, problem

# What a document download can be: the accepted upload types and the analytic data tables.
BINARY_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
)


class ApiError(Exception):
    """Raised inside an operation to answer with a problem."""

    def __init__(self, status: int, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or str(status))
        self.status, self.detail, self.extra = status, detail, extra


@dataclass
class Operation:
    method: str
    rule: str
    summary: str
    view: Callable[..., Any]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    upload: type[BaseModel] | None = None  # multipart form with a file field "file"
    response: type[BaseModel] | None = None
    binary: bool = False  # the success response is a file
    status: int = 200
    errors: tuple[int, ...] = (400, 401, 403, 404)
    public: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)


class Api:
    """Collects operations on a blueprint and describes them."""

    def __init__(self, blueprint: Blueprint, title: str, version: str) -> None:
        self.blueprint, self.title, self.version = blueprint, title, version
        self.operations: list[Operation] = []

    def route(
        self, rule: str, method: str = "GET", **options: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register an operation: ``query``/``body``/``upload`` models are validated and passed in
        as keyword arguments of the same names."""

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            op = Operation(
                method=method,
                rule=rule,
                summary=(view.__doc__ or "").strip().split("\n")[0],
                view=view,
                **options,
            )

            @wraps(view)
            def endpoint(**path: Any) -> Any:
                try:
                    return _respond(op, view(**path, **_parsed(op)))
                except ApiError as err:
                    return problem(err.status, err.detail, **err.extra)

            self.blueprint.add_url_rule(rule, view.__name__, endpoint, methods=[method])
            self.operations.append(op)
            return endpoint

        return decorator


def _validation_problem(err: ValidationError) -> ApiError:
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in err.errors()
    ]
    return ApiError(400, "Запрос не прошёл проверку.", errors=errors)


def _parsed(op: Operation) -> dict[str, Any]:
    values: dict[str, Any] = {}
    try:
        if op.query is not None:
            values["query"] = op.query.model_validate(request.args.to_dict())
        if op.body is not None:
            payload = request.get_json(silent=True)
            if not isinstance(payload, dict):
                raise ApiError(400, "Ожидается объект JSON.")
            values["body"] = op.body.model_validate(payload)
        if op.upload is not None:
            values["upload"] = op.upload.model_validate(request.form.to_dict())
    except ValidationError as err:
        raise _validation_problem(err) from err
    return values


def _respond(op: Operation, result: Any) -> Any:
    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):
        response = jsonify(result.model_dump(mode="json"))
        response.status_code = op.status
        return response
    return result


# OpenAPI -------------------------------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:(int|string|path)(?:\(([^)]*)\))?:)?(\w+)>")
INT32 = 2**31 - 1


def _int_schema(arguments: str) -> dict[str, Any]:
    """The schema of an ``int`` path segment: the converter's bounds, else a database id."""
    bounds = dict(re.findall(r"(min|max)\s*=\s*(\d+)", arguments or ""))
    return {
        "type": "integer",
        "minimum": int(bounds.get("min", 1)),
        "maximum": int(bounds.get("max", INT32)),
    }


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for converter, arguments, name in _CONVERTER.findall(rule):
        if converter == "int":
            schema = _int_schema(arguments)
        else:
            schema = {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "pattern": "^[A-Za-z0-9_.-]+$",
            }
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _CONVERTER.sub(lambda m: "{" + m.group(3) + "}", rule), params


def _hoist(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """Move pydantic's $defs into components and point references there."""
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = definition
    return schema


def _ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components[model.__name__] = _hoist(schema, components)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _operation(
    op: Operation, components: dict[str, Any], prefix: str
) -> tuple[str, dict[str, Any]]:
    path, params = _openapi_path(prefix + op.rule)
    if op.query is not None:
        params += _query_parameters(op.query)
    spec: dict[str, Any] = {
        "summary": op.summary,
        "operationId": op.view.__name__,
        "parameters": params,
        "tags": list(op.tags) or ["cases"],
    }
    if op.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(op.body, components)}},
        }
    if op.upload is not None:
        form = op.upload.model_json_schema()
        form["properties"]["file"] = {"type": "string", "format": "binary"}
        form["required"] = sorted({*form.get("required", []), "file"})
        spec["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": form}},
        }
    success: dict[str, Any] = {"description": "OK"}
    if op.binary:
        success["content"] = {
            m: {"schema": {"type": "string", "format": "binary"}} for m in BINARY_TYPES
        }
    elif op.response is not None:
        success["content"] = {"application/json": {"schema": _ref(op.response, components)}}
    problem_ref = {
        "description": "Problem details",
        "content": {PROBLEM_TYPE: {"schema": _ref(Problem, components)}},
    }
    spec["responses"] = {str(op.status): success, **{str(code): problem_ref for code in op.errors}}
    if not op.public:
        spec["security"] = [{"token": []}]
    return path, spec


def openapi(api: Api, prefix: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of every registered operation."""
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for op in api.operations:
        path, spec = _operation(op, components, prefix)
        paths.setdefault(path, {})[op.method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {
            "title": api.title,
            "version": api.version,
            "description": "ОКО: сопровождение школ. Ошибки — RFC 9457 (problem details).",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Personal token from the profile page",
                }
            },
        },
    }
