"""The buffer protocol of the PyO3-style extension (src/buffers.rs)."""

import pytest

from pyo3_style import buffers


def test_hand_filled_export_reads_back():
    b = buffers.TestBufferClass(b"\x01\x02\x03")
    assert bytes(b) == b"\x01\x02\x03"
    with memoryview(b) as view:
        assert view.readonly and view.format == "B" and view.shape == (3,)
        assert view.tolist() == [1, 2, 3]
    assert bytearray(b) == bytearray(b"\x01\x02\x03")


def test_export_is_read_only():
    b = buffers.TestBufferClass(b"abc")
    view = memoryview(b)
    with pytest.raises(TypeError, match="read-only"):
        view[0] = 0
    view.release()
