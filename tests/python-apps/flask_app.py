"""A small real Flask application for the wsgi-server tests and benchmark."""

from flask import Flask, Response, jsonify, request

app = Flask(__name__)


@app.get("/")
def index():
    return "Hello from Flask!\n"


@app.get("/items/<int:item_id>")
def item(item_id):
    return jsonify(id=item_id, q=request.args.get("q"), tags=request.args.getlist("tag"))


@app.get("/greet/<name>")
def greet(name):
    return jsonify(name=name)


@app.post("/echo")
def echo():
    data = request.get_data()
    return Response(data, mimetype="application/octet-stream")


@app.post("/form")
def form():
    return jsonify(dict(request.form))


@app.get("/stream")
def stream():
    n = request.args.get("n", 5, type=int)

    def generate():
        for i in range(n):
            yield f"line {i}\n"

    return Response(generate(), mimetype="text/plain")


@app.get("/error")
def error():
    raise RuntimeError("the Flask view failed on purpose")


@app.get("/bench")
def bench():
    q = request.args.to_dict()
    return jsonify(path=request.path, query=q, items=[i * i for i in range(20)])
