"""The peer for bench/ingest.py: a bare FastAPI endpoint that parses the JSON body and answers 202."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.post("/v1/reports")
async def accept(request: Request) -> JSONResponse:
    document: Any = await request.json()
    return JSONResponse({"receipt": "r_" + str(len(document))}, status_code=202)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
