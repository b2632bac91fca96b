"""The `aio` example: async Rust functions awaited by asyncio code, on
Python's own event loops (asyncio.run), from one thread and from many."""

import asyncio
import contextvars
import threading

import pytest

import aio


def test_values_come_back_through_any_loop():
    assert asyncio.run(aio.sleep_then(0.01, "done")) == "done"

    async def many():
        return await asyncio.gather(*(aio.sleep_then(0.01 * (i % 3), i) for i in range(100)))

    assert asyncio.run(many()) == list(range(100))


def test_bad_arguments_raise_before_anything_is_awaited():
    with pytest.raises(TypeError):
        aio.sleep_then("soon", 1)

    async def negative():
        return await aio.sleep_then(-1.0, None)

    with pytest.raises(ValueError, match="invalid sleep length"):
        asyncio.run(negative())


def test_exceptions_and_panics_reach_the_awaiting_code():
    with pytest.raises(ValueError, match="nope"):
        asyncio.run(aio.fail("nope"))
    try:
        asyncio.run(aio.panic_later("boom"))
    except BaseException as e:  # PanicException derives from BaseException
        assert type(e).__name__ == "PanicException"
        assert "boom" in str(e)
    else:
        pytest.fail("no PanicException")


def test_cancelling_the_await_drops_the_rust_future():
    async def cancelled():
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(aio.sleep_then(60, None), 0.05)
        # Give the loop a turn to run the done callbacks.
        await asyncio.sleep(0)

    before = aio.live_sleeps()
    asyncio.run(cancelled())
    assert aio.live_sleeps() == before


def test_rust_awaits_python_on_the_same_loop_in_the_same_context():
    request = contextvars.ContextVar("request")

    async def inner():
        await asyncio.sleep(0)
        assert request.get() == "r-1"
        return 41

    async def outer():
        request.set("r-1")
        return await aio.plus_one(inner())

    assert asyncio.run(outer()) == 42


def test_many_threads_each_run_their_own_loop():
    threads, calls = 8, 200
    tally = aio.Tally()
    barrier = threading.Barrier(threads)
    results = []

    def worker():
        async def run():
            return await asyncio.gather(*(tally.add(1) for _ in range(calls)))

        barrier.wait()
        results.append(len(asyncio.run(run())))

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert results == [calls] * threads
    assert tally.total == threads * calls


def test_calls_are_coroutines_for_create_task_and_task_groups():
    import inspect

    call = aio.sleep_then(0, "x")
    assert inspect.iscoroutine(call)
    call.close()  # never awaited: nothing ran

    async def grouped():
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(aio.sleep_then(0.01, i)) for i in range(10)]
        return [task.result() for task in tasks]

    assert asyncio.run(grouped()) == list(range(10))
