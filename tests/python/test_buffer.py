"""The buffer protocol through ftbench: Rust functions that read and write
NumPy arrays through ``PyBuffer<f64>`` (one array filled by four Python
threads at once, and by four Rust threads), strided and Fortran-order
arrays, the errors for arrays of another dtype, and classes that export
their memory to ``memoryview``, ``bytes()`` and NumPy.

NumPy is installed in the test venvs by ``cargo xtask test`` (a wheel for
the free-threaded interpreter too).
"""

from __future__ import annotations

import array
import threading

import pytest

from conftest import THREAD_TIMEOUT
import ftbench

np = pytest.importorskip("numpy")

THREADS = 4
N = 1 << 16


def run_threads(target, threads: int = THREADS) -> None:
    """Runs ``target(index)`` on ``threads`` threads released together by a
    barrier; re-raises the first exception; fails on a thread that hangs."""
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait(THREAD_TIMEOUT)
            target(index)
        except BaseException as error:  # noqa: BLE001 - report everything
            errors.append(error)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(THREAD_TIMEOUT)
        assert not thread.is_alive(), "a thread hung"
    if errors:
        raise errors[0]


def test_one_numpy_array_filled_by_four_python_threads() -> None:
    a = np.zeros(N)
    stripe = N // THREADS

    def fill(index: int) -> None:
        # Each thread its own stripe of the one shared array, at once.
        ftbench.fill_range(a, index * stripe, (index + 1) * stripe, float(index + 1))

    run_threads(fill)
    expected = np.repeat(np.arange(1.0, THREADS + 1.0), stripe)
    assert (a == expected).all()


def test_one_numpy_array_filled_by_four_rust_threads() -> None:
    a = np.zeros(N)
    ftbench.fill_parallel(a, THREADS, 0.5)
    assert (a == np.arange(N) * 0.5).all()


def test_reading_strided_and_fortran_arrays() -> None:
    assert ftbench.sum_f64(np.arange(10.0)) == 45.0
    assert ftbench.sum_f64(np.arange(10.0)[::3]) == 0 + 3 + 6 + 9
    assert ftbench.sum_f64(np.arange(10.0)[::-1]) == 45.0
    fortran = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    assert ftbench.sum_f64(fortran) == 66.0
    assert ftbench.sum_f64(np.arange(24.0).reshape(4, 6)[::2, 1::2]) == 1 + 3 + 5 + 13 + 15 + 17
    assert ftbench.sum_f64(np.array(2.5)) == 2.5
    assert ftbench.sum_f64(array.array("d", [1.0, 2.0])) == 3.0
    # Writing into a strided view reaches the base array.
    base = np.zeros(8)
    ftbench.fill_range(base[1::2], 0, 4, 7.0)
    assert base.tolist() == [0.0, 7.0] * 4


def test_arrays_of_another_dtype_are_refused() -> None:
    with pytest.raises(BufferError) as caught:
        ftbench.sum_f64(np.arange(3))
    assert "as f64 (8-byte float)" in str(caught.value)
    assert "8-byte signed integer" in str(caught.value)
    with pytest.raises(BufferError, match="in the other byte order"):
        ftbench.sum_f64(np.zeros(2, dtype=">f8" if np.little_endian else "<f8"))
    with pytest.raises(BufferError, match="float32|4-byte float"):
        ftbench.sum_f64(np.zeros(2, dtype=np.float32))
    with pytest.raises(TypeError, match="argument 'values'"):
        ftbench.sum_f64([1.0, 2.0])
    readonly = np.zeros(4)
    readonly.flags.writeable = False
    with pytest.raises(BufferError, match="read-only"):
        ftbench.fill_range(readonly, 0, 4, 1.0)


def test_exported_bytes_read_by_memoryview_bytes_and_numpy() -> None:
    b = ftbench.Bytes(b"\x01\x02\x03")
    assert bytes(b) == b"\x01\x02\x03"
    with memoryview(b) as view:
        assert view.readonly and view.format == "B" and view.tolist() == [1, 2, 3]
        with pytest.raises(TypeError):
            view[0] = 9
    assert np.frombuffer(b, dtype=np.uint8).tolist() == [1, 2, 3]


def test_exported_samples_refuse_push_while_viewed() -> None:
    s = ftbench.Samples()
    for value in (0.5, 1.5):
        s.push(value)
    exported = np.asarray(s)
    assert exported.dtype == np.float64 and exported.tolist() == [0.5, 1.5]
    assert not exported.flags.writeable
    assert ftbench.sum_f64(s) == 2.0
    with pytest.raises(BufferError, match="Samples.push"):
        s.push(2.5)
    del exported  # releases the export
    s.push(2.5)
    assert len(s) == 3 and memoryview(s).tolist() == [0.5, 1.5, 2.5]


def test_exports_and_pushes_from_threads() -> None:
    s = ftbench.Samples()
    s.push(1.0)
    refused = []

    def work(index: int) -> None:
        for i in range(200):
            if index == 0:
                try:
                    s.push(float(i))
                except BufferError:
                    refused.append(i)
            else:
                with memoryview(s) as view:
                    assert view[0] == 1.0

    run_threads(work)
    assert len(s) == 1 + 200 - len(refused)
    s.push(0.0)  # no export is left counted
