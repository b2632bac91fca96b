"""The FastAPI application of `cargo xtask bench-server`'s ASGI rows.

Served the same way by every server measured (wsgi-server
--interface asgi, uvicorn, Granian): nothing here depends on the server.
`/hello` is the smallest response FastAPI makes, `/json/{name}` adds path
and query validation and a JSON body, and `/bench` renders the WSGI
benchmark's page (`plain_app.page`) in an `async def` route, so that the
Python work per request is the same as in the WSGI rows.
"""

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, PlainTextResponse

from plain_app import page

app = FastAPI()


@app.get("/hello")
async def hello():
    return PlainTextResponse("Hello, world!\n")


@app.get("/json/{name}")
async def json_greeting(name: str, count: int = 3):
    return {"message": f"hello, {name}", "items": list(range(count))}


@app.get("/bench")
async def bench(rows: int = 100):
    return HTMLResponse(page("/bench", rows))
