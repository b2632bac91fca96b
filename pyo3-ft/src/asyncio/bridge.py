# The Python half of pyo3_ft::asyncio's bridge from Rust futures to Python
# awaitables. Loaded once per interpreter into a private namespace.
import asyncio
import contextvars


class Bridge:
    """One Python awaitable that a Rust future waits for, driven as a task
    on `loop`. `start` and `_cancel` run on the loop's thread, scheduled in
    order through call_soon_threadsafe, so no lock guards the fields;
    `cancel` may be called from any thread."""

    __slots__ = ("loop", "task", "cancelled")

    def __init__(self, loop):
        self.loop = loop
        self.task = None
        self.cancelled = False

    def start(self, awaitable, done):
        if self.cancelled:
            close = getattr(awaitable, "close", None)
            if close is not None:
                close()
            done(None)
            return
        self.task = asyncio.ensure_future(awaitable, loop=self.loop)
        self.task.add_done_callback(done)

    def cancel(self):
        try:
            self.loop.call_soon_threadsafe(self._cancel)
        except RuntimeError:
            # The loop is closed: the task, if any, ended with it.
            pass

    def _cancel(self):
        self.cancelled = True
        if self.task is not None:
            self.task.cancel()


async def deferred(start):
    """A coroutine for a Rust future: `start()` wraps it in a future of
    the running loop when the coroutine is first awaited (so it can be
    created outside any loop, and given to asyncio.run or create_task)."""
    return await start()


def start_here(loop, awaitable, done):
    """Starts `awaitable` on `loop`, which runs on this thread (from a job
    of its inbox), in the current context."""
    bridge = Bridge(loop)
    bridge.start(awaitable, done)
    return bridge


def submit(loop, awaitable, done):
    """Starts `awaitable` on `loop` in a copy of the caller's context."""
    bridge = Bridge(loop)
    context = contextvars.copy_context()
    loop.call_soon_threadsafe(bridge.start, awaitable, done, context=context)
    return bridge


def finish(loop):
    """Cancels what is left on a stopped loop, lets it unwind, closes it."""
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
