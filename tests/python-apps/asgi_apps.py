"""ASGI applications for the wsgi-server's --interface asgi tests.

`fastapi_app` is a FastAPI application (Starlette underneath): JSON routes,
a streaming response, a streamed request body, a route that awaits a Rust
future, and a lifespan that fills `request.state`. `raw` is a bare ASGI 3
callable for the protocol's corners. Module-level events let the Rust
tests observe lifespan and disconnects with bounded waits.
"""

import asyncio
import contextlib
import hashlib
import threading

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, StreamingResponse

lifespan_events = []
disconnected = threading.Event()
loop_threads = {}  # tag -> the threads that served /hello?tag=


@contextlib.asynccontextmanager
async def lifespan(app):
    lifespan_events.append("startup")
    yield {"greeting": "hello from lifespan"}
    lifespan_events.append("shutdown")


fastapi_app = FastAPI(lifespan=lifespan)


@fastapi_app.get("/hello/{name}")
async def hello(name: str, request: Request, excited: bool = False, tag: str = ""):
    loop_threads.setdefault(tag, set()).add(threading.get_ident())
    return {
        "message": f"{request.state.greeting}, {name}{'!' if excited else ''}",
        "path": request.url.path,
        "scheme": request.url.scheme,
    }


@fastapi_app.post("/digest")
async def digest(request: Request):
    sha = hashlib.sha256()
    size = 0
    chunks = 0
    async for chunk in request.stream():
        sha.update(chunk)
        size += len(chunk)
        chunks += 1
    return {"size": size, "sha256": sha.hexdigest(), "chunks": chunks}


@fastapi_app.get("/stream")
async def stream(n: int = 5):
    async def numbers():
        for i in range(n):
            await asyncio.sleep(0)
            yield f"chunk {i}\n"

    return StreamingResponse(numbers(), media_type="text/plain")


@fastapi_app.get("/rust")
async def rust(a: int, b: int):
    import rust_async  # registered by the test process

    total = await rust_async.slow_add(a, b)
    return {"sum": total}


@fastapi_app.get("/sleep")
async def sleep(seconds: float):
    await asyncio.sleep(seconds)
    return PlainTextResponse("slept\n")


@fastapi_app.get("/wait-disconnect")
async def wait_disconnect(request: Request):
    while not await request.is_disconnected():
        await asyncio.sleep(0.01)
    disconnected.set()
    return PlainTextResponse("gone\n")


@fastapi_app.get("/boom")
async def boom():
    raise RuntimeError("the handler failed")


firehose = {"sent": 0, "stopped": threading.Event()}


async def _firehose(send):
    """Streams up to 2000 chunks of 64 KiB; counts what `send` accepted
    and says when `send` raised (the client left)."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    chunk = b"x" * 65536
    try:
        for _ in range(2000):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            firehose["sent"] += 1
        await send({"type": "http.response.body", "body": b""})
    except OSError:
        firehose["stopped"].set()


async def raw(scope, receive, send):
    """A bare ASGI 3 callable, one behaviour per path."""
    if scope["type"] == "lifespan":
        raise RuntimeError("no lifespan here")
    path = scope["path"]
    if path == "/firehose":
        await _firehose(send)
    elif path == "/wrong-length":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"4")]})
        await send({"type": "http.response.body", "body": "café".encode()})
    elif path == "/short":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"100")]})
        await send({"type": "http.response.body", "body": b"only this", "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif path == "/nothing":
        return
    elif path == "/scope":
        body = repr(sorted((k, v) for k, v in scope.items()
                           if k in ("http_version", "method", "path", "raw_path",
                                    "query_string", "root_path", "scheme"))).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
    elif path == "/bad-message":
        await send({"type": "http.response.start", "status": 200})
        try:
            await send({"type": "http.response.start", "status": 200})
        except RuntimeError as e:
            await send({"type": "http.response.body", "body": str(e).encode()})
    else:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b"not found\n"})
