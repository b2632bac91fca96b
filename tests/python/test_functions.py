"""The `#[pyfunction]`s of `ftbench`: results, edge values, CPython's own
argument errors, panics, signatures and docstrings."""

from __future__ import annotations

import inspect
import re
import sys

import pytest

import ftbench

I64_MAX = 2**63 - 1
I64_MIN = -(2**63)


def raises_exactly(exc: type[BaseException], message: str):
    """`pytest.raises` that matches the whole message, not a prefix."""
    return pytest.raises(exc, match=rf"\A{re.escape(message)}\Z")


class Index:
    """Not an int, but usable as one (`__index__`)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


# ---------------------------------------------------------------- noop


def test_noop_returns_none():
    assert ftbench.noop() is None


def test_noop_rejects_arguments():
    with raises_exactly(TypeError, "noop() takes 0 positional arguments but 1 was given"):
        ftbench.noop(1)
    with raises_exactly(TypeError, "noop() got an unexpected keyword argument 'x'"):
        ftbench.noop(x=1)


# ---------------------------------------------------------------- add


@pytest.mark.force_parallel_threads(4)
@pytest.mark.parametrize(
    ("a", "b", "total"),
    [
        (2, 3, 5),
        (-7, 3, -4),
        (0, 0, 0),
        (I64_MAX, 0, I64_MAX),
        (I64_MIN, 0, I64_MIN),
        (I64_MAX, I64_MIN, -1),
        (I64_MAX - 1, 1, I64_MAX),
        (I64_MIN + 1, -1, I64_MIN),
    ],
)
def test_add(a, b, total):
    result = ftbench.add(a, b)
    assert result == total
    assert type(result) is int


def test_add_by_keyword_and_mixed():
    assert ftbench.add(a=1, b=2) == 3
    assert ftbench.add(b=2, a=1) == 3
    assert ftbench.add(1, b=2) == 3
    assert ftbench.add(*[4], **{"b": 5}) == 9


def test_add_accepts_int_like_values():
    assert ftbench.add(True, True) == 2
    assert ftbench.add(Index(40), Index(2)) == 42

    class Big(int):
        pass

    assert ftbench.add(Big(1), 2) == 3


def test_add_argument_count_errors():
    with raises_exactly(TypeError, "add() missing 1 required positional argument: 'b'"):
        ftbench.add(1)
    with raises_exactly(TypeError, "add() missing 1 required positional argument: 'a'"):
        ftbench.add(b=1)
    with raises_exactly(
        TypeError, "add() missing 2 required positional arguments: 'a' and 'b'"
    ):
        ftbench.add()
    with raises_exactly(TypeError, "add() takes 2 positional arguments but 3 were given"):
        ftbench.add(1, 2, 3)
    with raises_exactly(TypeError, "add() got an unexpected keyword argument 'c'"):
        ftbench.add(1, 2, c=3)
    with raises_exactly(TypeError, "add() got multiple values for argument 'a'"):
        ftbench.add(1, a=2)


def test_add_argument_type_errors():
    with raises_exactly(
        TypeError, "argument 'a': 'str' object cannot be interpreted as an integer"
    ):
        ftbench.add("1", 2)
    with raises_exactly(
        TypeError, "argument 'b': 'float' object cannot be interpreted as an integer"
    ):
        ftbench.add(1, 2.0)
    with raises_exactly(
        TypeError, "argument 'a': 'NoneType' object cannot be interpreted as an integer"
    ):
        ftbench.add(None, 2)


def test_add_argument_type_error_keeps_the_cause():
    with pytest.raises(TypeError) as info:
        ftbench.add("1", 2)
    assert isinstance(info.value.__cause__, TypeError)
    assert str(info.value.__cause__) == "'str' object cannot be interpreted as an integer"


def test_add_result_overflow():
    message = "add() result does not fit in a 64-bit integer"
    with raises_exactly(OverflowError, message):
        ftbench.add(I64_MAX, 1)
    with raises_exactly(OverflowError, message):
        ftbench.add(I64_MIN, -1)
    with raises_exactly(OverflowError, message):
        ftbench.add(I64_MAX, I64_MAX)


def test_add_argument_overflow():
    # Arguments that do not fit an i64 are an OverflowError, as in CPython's
    # own C functions, not a TypeError and not a wrapped value.
    with pytest.raises(OverflowError):
        ftbench.add(I64_MAX + 1, 0)
    with pytest.raises(OverflowError):
        ftbench.add(0, I64_MIN - 1)
    with pytest.raises(OverflowError):
        ftbench.add(10**100, 0)


# ---------------------------------------------------------------- sum_list


@pytest.mark.force_parallel_threads(4)
def test_sum_list():
    assert ftbench.sum_list([]) == 0
    assert ftbench.sum_list([5]) == 5
    assert ftbench.sum_list([1, 2, 3]) == 6
    assert ftbench.sum_list([-1, -2, -3]) == -6
    assert ftbench.sum_list(list(range(10_000))) == sum(range(10_000))
    assert ftbench.sum_list([I64_MAX, 0]) == I64_MAX
    assert ftbench.sum_list([I64_MIN]) == I64_MIN
    assert ftbench.sum_list([True, Index(4)]) == 5


def test_sum_list_does_not_modify_its_argument():
    xs = [3, 1, 2]
    assert ftbench.sum_list(xs) == 6
    assert xs == [3, 1, 2]


def test_sum_list_overflow():
    message = "sum_list() result does not fit in a 64-bit integer"
    with raises_exactly(OverflowError, message):
        ftbench.sum_list([I64_MAX, 1])
    with raises_exactly(OverflowError, message):
        ftbench.sum_list([I64_MIN, -1])
    with raises_exactly(OverflowError, message):
        ftbench.sum_list([2**62] * 4)
    # An item that does not fit an i64 at all.
    with pytest.raises(OverflowError):
        ftbench.sum_list([1, 2**64])


def test_sum_list_type_errors():
    with pytest.raises(TypeError) as info:
        ftbench.sum_list([1, "2", 3])
    assert str(info.value).startswith("argument 'xs': ")
    assert "'str' object cannot be interpreted as an integer" in str(info.value)
    with pytest.raises(TypeError, match=r"\Aargument 'xs': "):
        ftbench.sum_list([1, 2.5])
    with pytest.raises(TypeError, match=r"\Aargument 'xs': "):
        ftbench.sum_list([None])
    with pytest.raises(TypeError, match=r"\Aargument 'xs': "):
        ftbench.sum_list(5)
    with pytest.raises(TypeError, match=r"\Aargument 'xs': "):
        ftbench.sum_list("123")  # a str is not a list of ints
    with pytest.raises(TypeError, match=r"\Aargument 'xs': "):
        ftbench.sum_list(None)
    with raises_exactly(TypeError, "sum_list() missing 1 required positional argument: 'xs'"):
        ftbench.sum_list()


# ---------------------------------------------------------------- make_tuple


@pytest.mark.force_parallel_threads(4)
def test_make_tuple_holds_the_same_object():
    obj = object()
    t = ftbench.make_tuple(obj, 5)
    assert type(t) is tuple
    assert len(t) == 5
    assert all(item is obj for item in t)

    assert ftbench.make_tuple(obj, 0) == ()
    assert ftbench.make_tuple(None, 3) == (None, None, None)
    assert ftbench.make_tuple(ftbench, 1)[0] is ftbench
    big = ftbench.make_tuple(1.5, 10_000)
    assert len(big) == 10_000 and set(big) == {1.5}


def test_make_tuple_takes_one_reference_per_item():
    obj = object()  # a fresh, non-immortal object owned by this thread
    before = sys.getrefcount(obj)
    t = ftbench.make_tuple(obj, 100)
    assert sys.getrefcount(obj) == before + 100
    t2 = ftbench.make_tuple(obj, 7)
    assert sys.getrefcount(obj) == before + 107
    del t
    assert sys.getrefcount(obj) == before + 7
    del t2
    assert sys.getrefcount(obj) == before
    # An error leaks nothing either.
    with pytest.raises(OverflowError):
        ftbench.make_tuple(obj, -1)
    assert sys.getrefcount(obj) == before


def test_make_tuple_errors():
    with pytest.raises(OverflowError):
        ftbench.make_tuple(1, -1)
    with raises_exactly(
        TypeError, "argument 'n': 'str' object cannot be interpreted as an integer"
    ):
        ftbench.make_tuple(1, "3")
    with raises_exactly(TypeError, "make_tuple() missing 1 required positional argument: 'n'"):
        ftbench.make_tuple(1)
    assert ftbench.make_tuple(n=2, obj="x") == ("x", "x")


# ---------------------------------------------------------------- greet


@pytest.mark.force_parallel_threads(4)
def test_greet():
    assert ftbench.greet("Ann") == "Hello, Ann!"
    assert ftbench.greet("Ann", punctuation="?") == "Hello, Ann?"
    assert ftbench.greet("", punctuation="") == "Hello, "
    assert ftbench.greet("Zoë 🐍 名前") == "Hello, Zoë 🐍 名前!"
    assert ftbench.greet("a\0b") == "Hello, a\0b!"
    assert ftbench.greet("x" * 100_000) == "Hello, " + "x" * 100_000 + "!"


def test_greet_name_is_positional_only():
    with raises_exactly(
        TypeError,
        "greet() got some positional-only arguments passed as keyword arguments: 'name'",
    ):
        ftbench.greet(name="Ann")


def test_greet_punctuation_is_keyword_only():
    with raises_exactly(TypeError, "greet() takes 1 positional argument but 2 were given"):
        ftbench.greet("Ann", "?")


def test_greet_other_errors():
    with raises_exactly(TypeError, "greet() missing 1 required positional argument: 'name'"):
        ftbench.greet()
    with raises_exactly(TypeError, "greet() got an unexpected keyword argument 'punct'"):
        ftbench.greet("Ann", punct="?")
    with pytest.raises(TypeError, match=r"\Aargument 'name': "):
        ftbench.greet(5)
    with pytest.raises(TypeError, match=r"\Aargument 'name': "):
        ftbench.greet(b"Ann")
    with pytest.raises(TypeError, match=r"\Aargument 'punctuation': "):
        ftbench.greet("Ann", punctuation=None)
    # A lone surrogate cannot be borrowed as UTF-8.
    with pytest.raises(UnicodeEncodeError):
        ftbench.greet("\ud800")


# ---------------------------------------------------------------- panic_now


def test_panic_becomes_panic_exception():
    with pytest.raises(BaseException) as info:
        ftbench.panic_now("the bananas are out of stock")
    error = info.value
    kind = type(error)
    assert kind.__name__ == "PanicException"
    assert kind.__module__ == "pyo3_ft"
    assert issubclass(kind, BaseException)
    assert not issubclass(kind, Exception)
    assert not isinstance(error, Exception)
    assert str(error) == "the bananas are out of stock"
    assert error.args == ("the bananas are out of stock",)


def test_panic_is_not_caught_by_except_exception():
    caught = None
    try:
        try:
            ftbench.panic_now("boom")
        except Exception:  # must not catch a panic
            pytest.fail("`except Exception` caught a PanicException")
    except BaseException as error:
        caught = error
    assert type(caught).__name__ == "PanicException"


def test_panic_type_is_one_type():
    kinds = set()
    for message in ("one", "two", "", "ünïcödé 🐍"):
        with pytest.raises(BaseException) as info:
            ftbench.panic_now(message)
        assert str(info.value) == message
        kinds.add(type(info.value))
    assert len(kinds) == 1


def test_interpreter_continues_after_panics():
    for i in range(100):
        with pytest.raises(BaseException):
            ftbench.panic_now(f"panic {i}")
        assert ftbench.add(i, 1) == i + 1
    assert ftbench.greet("still here") == "Hello, still here!"


def test_panic_now_argument_errors():
    with raises_exactly(TypeError, "panic_now() missing 1 required positional argument: 'msg'"):
        ftbench.panic_now()
    with pytest.raises(TypeError, match=r"\Aargument 'msg': "):
        ftbench.panic_now(1)


# ---------------------------------------------------------------- introspection


@pytest.mark.parametrize(
    ("name", "signature"),
    [
        ("noop", "()"),
        ("add", "(a, b)"),
        ("sum_list", "(xs)"),
        ("make_tuple", "(obj, n)"),
        ("greet", "(name, /, *, punctuation='!')"),
        ("panic_now", "(msg)"),
    ],
)
def test_signature(name, signature):
    function = getattr(ftbench, name)
    assert str(inspect.signature(function)) == signature


def test_greet_signature_parameter_kinds():
    parameters = inspect.signature(ftbench.greet).parameters
    assert parameters["name"].kind is inspect.Parameter.POSITIONAL_ONLY
    assert parameters["name"].default is inspect.Parameter.empty
    assert parameters["punctuation"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["punctuation"].default == "!"


@pytest.mark.parametrize(
    ("name", "doc"),
    [
        ("noop", "Does nothing: measures the cost of a call."),
        ("add", "`a + b` for 64-bit integers; OverflowError when the sum does not fit."),
        (
            "sum_list",
            "The sum of a list of 64-bit integers; OverflowError on overflow,\n"
            "TypeError on an item that is not an int.",
        ),
        ("make_tuple", "A tuple holding `n` references to `obj`."),
        ("greet", '`"Hello, " + name + punctuation`.'),
        ("panic_now", "Panics in Rust with `msg`: Python sees a `PanicException`."),
    ],
)
def test_docstring(name, doc):
    function = getattr(ftbench, name)
    assert inspect.cleandoc(function.__doc__) == doc


@pytest.mark.parametrize(
    "name", ["noop", "add", "sum_list", "make_tuple", "greet", "panic_now"]
)
def test_function_identity(name):
    function = getattr(ftbench, name)
    assert function.__name__ == name
    assert function.__qualname__ == name
    assert function.__module__ == "ftbench"
    assert callable(function)
    assert name in repr(function)


def test_module():
    assert ftbench.__name__ == "ftbench"
    assert inspect.cleandoc(ftbench.__doc__) == "Workloads for pyo3-ft's tests and benchmarks."
    for name in ("noop", "add", "sum_list", "make_tuple", "greet", "panic_now",
                 "Point", "Counter", "AtomicCounter"):
        assert hasattr(ftbench, name), name
