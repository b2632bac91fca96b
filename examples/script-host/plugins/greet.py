"""Greets the caller and counts the greetings in the host's store."""
import host


def handle(body):
    count = int(host.kv_get("greetings") or 0) + 1
    host.kv_set("greetings", str(count))
    return f"hello, {body or 'world'} (greeting {count})"
