"""A plain PEP 3333 application for the wsgi-server tests and benchmark.

One route per feature the server must get right. Module-level state lets
the Rust tests observe what happened inside the application (close() calls,
requests waiting for release) with bounded waits instead of sleeps.
"""

import html
import json
import os
import sys
import threading
import time

_state = threading.Condition()
_closed = set()
_waiting = 0
release = threading.Event()
_gates = {}
_entered = set()


def gate(token):
    """The event /stream-gated?token= waits on between its two chunks."""
    with _state:
        return _gates.setdefault(token, threading.Event())


def open_gate(token):
    """Opens gate(token); True, for the tests' calls that expect a truth."""
    gate(token).set()
    return True


def wait_closed(token, timeout=60.0):
    """True once close() ran on the iterable of the request tagged `token`."""
    with _state:
        return _state.wait_for(lambda: token in _closed, timeout)


def wait_entered(token, timeout=60.0):
    """True once a request tagged ?announce=TOKEN reached the application."""
    with _state:
        return _state.wait_for(lambda: token in _entered, timeout)


def _announce(token):
    # For a test that watches stderr, and for one in this process.
    print("entered " + token, file=sys.stderr, flush=True)
    with _state:
        _entered.add(token)
        _state.notify_all()


def wait_waiting(count, timeout=60.0):
    """True once `count` requests are parked in /wait."""
    with _state:
        return _state.wait_for(lambda: _waiting >= int(count), timeout)


class Closing:
    """An iterable whose close() records its token."""

    def __init__(self, chunks, token):
        self._chunks = chunks
        self._token = token

    def __iter__(self):
        return iter(self._chunks)

    def close(self):
        with _state:
            _closed.add(self._token)
            _state.notify_all()


def _query(environ):
    pairs = (p.split("=", 1) for p in environ["QUERY_STRING"].split("&") if p)
    return {k: (v[0] if v else "") for k, *v in pairs}


def _text(start_response, body, status="200 OK", ctype="text/plain; charset=utf-8"):
    data = body.encode() if isinstance(body, str) else body
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(data)))])
    return [data]


def hello(environ, start_response):
    return _text(start_response, "Hello, world!\n")


def environ_dump(environ, start_response):
    out = {k: v for k, v in environ.items() if isinstance(v, (str, bool, int))}
    out["wsgi.version"] = list(environ["wsgi.version"])
    out["wsgi.input.read"] = callable(getattr(environ["wsgi.input"], "read", None))
    out["wsgi.errors.write"] = callable(getattr(environ["wsgi.errors"], "write", None))
    return _text(start_response, json.dumps(out), ctype="application/json")


def query(environ, start_response):
    return _text(start_response, json.dumps(_query(environ)), ctype="application/json")


def echo(environ, start_response):
    """The body back, read in pieces of the size ?chunk= (all at once by
    default); ?announce=TOKEN prints `entered TOKEN` to stderr first."""
    stream = environ["wsgi.input"]
    q = _query(environ)
    if "announce" in q:
        _announce(q["announce"])
    size = int(q.get("chunk", "-1"))
    if size < 0:
        data = stream.read()
    else:
        parts = []
        while True:
            part = stream.read(size)
            if not part:
                break
            parts.append(part)
        data = b"".join(parts)
    return _text(start_response, data, ctype="application/octet-stream")


def lines(environ, start_response):
    """Counts the body's lines three ways: readline, iteration, readlines."""
    stream = environ["wsgi.input"]
    first = stream.readline()
    second = next(iter(stream), b"")
    rest = stream.readlines()
    result = {"first": first.decode(), "second": second.decode(), "rest": len(rest)}
    return _text(start_response, json.dumps(result), ctype="application/json")


def stream(environ, start_response):
    """?n= chunks of ?size= bytes, yielded one by one (no Content-Length)."""
    q = _query(environ)
    n, size, token = int(q.get("n", "10")), int(q.get("size", "16")), q.get("token", "")
    start_response("200 OK", [("Content-Type", "application/octet-stream")])

    def chunks():
        for i in range(n):
            yield bytes([65 + i % 26]) * size
            yield b""  # empty chunks are allowed and skipped

    return Closing(chunks(), token)


def stream_gated(environ, start_response):
    """Yields b"first", waits until the test opens gate(token), yields b"second"."""
    token = _query(environ).get("token", "")
    start_response("200 OK", [("Content-Type", "text/plain")])

    def chunks():
        yield b"first"
        opened = gate(token).wait(60)
        yield b"second" if opened else b"gate timed out"

    return Closing(chunks(), token)


def write(environ, start_response):
    out = start_response("200 OK", [("Content-Type", "text/plain")])
    out(b"written ")
    out(b"then ")
    return [b"returned"]


def error(environ, start_response):
    raise RuntimeError("the application failed on purpose")


def error_after_start(environ, start_response):
    token = _query(environ).get("token", "")
    start_response("200 OK", [("Content-Type", "text/plain")])

    def chunks():
        yield b"partial"
        raise ValueError("failed in the middle of the body")

    return Closing(chunks(), token)


def exc_info(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    try:
        raise ValueError("caught by the application")
    except ValueError:
        start_response("503 Try Later", [("Content-Type", "text/plain"), ("X-Handled", "yes")], sys.exc_info())
    return [b"handled"]


def exc_info_after_send(environ, start_response):
    out = start_response("200 OK", [("Content-Type", "text/plain")])
    out(b"too late")
    try:
        raise ValueError("after the headers went out")
    except ValueError:
        start_response("500 Error", [], sys.exc_info())
    return [b"unreachable"]


def twice(environ, start_response):
    start_response("200 OK", [])
    start_response("200 OK", [])
    return [b"unreachable"]


def no_start_response(environ, start_response):
    return [b"no headers"]


def str_body(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return ["not bytes"]


def bad_header(environ, start_response):
    start_response("200 OK", [("Bad Name", "x")])
    return [b"unreachable"]


def reason(environ, start_response):
    return _text(start_response, "custom", status="299 Custom Reason")


def empty(environ, start_response):
    start_response("204 No Content", [])
    return []


def wait(environ, start_response):
    """Parks until the test sets `release`, then answers."""
    global _waiting
    with _state:
        _waiting += 1
        _state.notify_all()
    released = release.wait(60)
    return _text(start_response, "released" if released else "timed out")


# A response that the application forges after its declared body: on a
# kept-alive connection a client would read it as the next response.
_FORGED = b"okHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged"


def forged(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [_FORGED]


def forged_stream(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    yield _FORGED[:10]
    yield _FORGED[10:]


def cafe(environ, start_response):
    """The everyday bug: the length of the str, not of its bytes."""
    text = "café"
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(text)))])
    return [text.encode()]


def short(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "10")])
    return [b"short"]


def sleep(environ, start_response):
    """Sleeps ?secs= seconds (announcing ?announce=TOKEN first)."""
    q = _query(environ)
    if "announce" in q:
        _announce(q["announce"])
    time.sleep(float(q.get("secs", "60")))
    return _text(start_response, "slept")


def exit_process(environ, start_response):
    """Ends the process at once, as a crashing C extension would."""
    os._exit(int(_query(environ).get("code", "1")))


def pid(environ, start_response):
    return _text(start_response, str(os.getpid()))


def file(environ, start_response):
    """?size= bytes through wsgi.file_wrapper, in blocks of 1000."""
    import io

    size = int(_query(environ).get("size", "2500"))
    data = bytes(i % 251 for i in range(size))
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return environ["wsgi.file_wrapper"](io.BytesIO(data), 1000)


def gil(environ, start_response):
    enabled = getattr(sys, "_is_gil_enabled", lambda: True)()
    return _text(start_response, json.dumps({"gil_enabled": enabled}), ctype="application/json")


def page(title, count=100):
    """The benchmark's page: what a modest dynamic page costs in Python.

    Builds `count` records, sorts them, and renders them as an HTML table
    with escaping and number formatting: about 0.55 ms of Python for 100
    rows on 3.13t, 0.5 ms on 3.13 with the GIL. The ASGI benchmark app
    (asgi_bench.py) serves the same page.
    """
    rows = [
        {"id": i, "name": f"item <{i}> & co", "price": (i * 37) % 101 / 4, "tags": ["a", "b"][: i % 3]}
        for i in range(count)
    ]
    rows.sort(key=lambda row: (row["price"], row["id"]))
    cells = "".join(
        f"<tr><td>{row['id']}</td><td>{html.escape(row['name'])}</td>"
        f"<td>{row['price']:.2f}</td><td>{', '.join(row['tags']) or '-'}</td></tr>"
        for row in rows
    )
    return f"<html><body><h1>{html.escape(title)}</h1><table>{cells}</table></body></html>"


def bench(environ, start_response):
    """The benchmark's page (`page`) for ?rows= records (100 by default)."""
    count = int(_query(environ).get("rows", "100"))
    return _text(start_response, page(environ["PATH_INFO"], count), ctype="text/html; charset=utf-8")


ROUTES = {
    "/hello": hello,
    "/environ": environ_dump,
    "/query": query,
    "/echo": echo,
    "/lines": lines,
    "/stream": stream,
    "/stream-gated": stream_gated,
    "/write": write,
    "/error": error,
    "/error-after-start": error_after_start,
    "/exc-info": exc_info,
    "/exc-info-after-send": exc_info_after_send,
    "/twice": twice,
    "/no-start-response": no_start_response,
    "/str-body": str_body,
    "/bad-header": bad_header,
    "/reason": reason,
    "/empty": empty,
    "/wait": wait,
    "/gil": gil,
    "/forged": forged,
    "/forged-stream": forged_stream,
    "/cafe": cafe,
    "/short": short,
    "/sleep": sleep,
    "/exit": exit_process,
    "/pid": pid,
    "/file": file,
    "/bench": bench,
}


def app(environ, start_response):
    path = environ["PATH_INFO"]
    route = ROUTES.get(path)
    if route is None and path.startswith("/environ/"):
        route = environ_dump
    if route is None:
        return _text(start_response, "not found: " + path, status="404 Not Found")
    return route(environ, start_response)
