"""`#[pyclass]` options of the PyO3-style extension (src/classes.rs)."""

import threading

import pytest

from pyo3_style import classes


def test_get_all_eq_hash():
    p = classes.Point(1, -2)
    assert (p.x, p.y) == (1, -2)
    assert p == classes.Point(1, -2)
    assert p != classes.Point(2, 1)
    assert hash(p) == hash(classes.Point(1, -2))
    assert len({p, classes.Point(1, -2)}) == 1


def test_frozen_fields_are_read_only():
    with pytest.raises(AttributeError):
        classes.Point(1, 2).x = 3


def test_str_format():
    assert str(classes.Point(1, -2)) == "(1, -2)"


def test_str_display():
    assert str(classes.Celsius(21.34)) == "21.3 °C"


def test_from_py_object_extracts_a_clone():
    assert classes.manhattan(classes.Point(3, -4)) == 7
    with pytest.raises(TypeError):
        classes.manhattan((3, 4))


def test_py_get_reads_detached():
    point = classes.Point(3, 4)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(classes.sum_detached(point)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [7] * 4


def test_set_all_rename_all():
    s = classes.Settings()
    assert (s.maxDepth, s.userName) == (3, "guest")
    s.maxDepth = 5
    s.userName = "admin"
    assert (s.maxDepth, s.userName) == (5, "admin")
    assert not hasattr(s, "max_depth")


def test_name_and_module():
    assert classes.Renamed.__name__ == "Renamed"
    assert classes.Renamed.__module__ == "pyo3_style.custom"
    assert not hasattr(classes, "RustName")


def test_classes_carry_their_module():
    assert classes.Point.__module__ == "pyo3_style.classes"
    assert classes.Point.__qualname__ == "Point"


def test_subclass():
    class Dog(classes.Animal):
        def sound(self):
            return "woof " + super().sound()

    assert Dog().sound() == "woof ..."
    assert isinstance(Dog(), classes.Animal)


def test_sequence_pattern_and_iteration():
    match classes.Triple():
        case [a, b, c]:
            assert (a, b, c) == (0, 10, 20)
        case _:
            pytest.fail("a sequence pattern did not match")
    assert list(classes.Triple()) == [0, 10, 20]


def test_mapping_pattern():
    match classes.OneKey():
        case []:
            pytest.fail("a mapping matched a sequence pattern")
        case {}:
            pass
        case _:
            pytest.fail("a mapping pattern did not match")


def test_extends_exception():
    err = classes.AppError(7)
    assert isinstance(err, Exception)
    assert err.code == 7
    assert err.args == ()
    with pytest.raises(classes.AppError) as info:
        raise classes.AppError(3)
    assert info.value.code == 3
    with pytest.raises(classes.AppError) as info:
        classes.fail(5)
    assert info.value.code == 5
    assert classes.AppError.__module__ == "pyo3_style.classes"


def test_extends_value_error_subclassed_in_python():
    class Sub(classes.HoldingError):
        pass

    try:
        raise Sub()
    except ValueError as e:
        assert isinstance(e, classes.HoldingError)
    e = classes.HoldingError()
    e.note = "instances of exception subclasses have a __dict__"
    assert e.note.startswith("instances")


def test_exception_subclass_cycle_is_collected():
    import gc
    import weakref

    class Marker:
        pass

    # Exceptions take no weak references: watch a marker in the cycle.
    holder = classes.HoldingError()
    marker = Marker()
    box = [holder, marker]
    holder.hold(box)
    alive = weakref.ref(marker)
    del holder, box, marker
    for _ in range(3):
        gc.collect()
    assert alive() is None


def test_extends_dict_and_list():
    d = classes.TaggedDict("t")
    d["a"] = 1
    assert isinstance(d, dict)
    assert (d.tag, dict(d)) == ("t", {"a": 1})
    s = classes.Stack()
    s.append(1)
    s.extend([2, 3])
    assert isinstance(s, list)
    assert s.pop() == 3 and list(s) == [1, 2]
