"""Uses ftbench as its stub says: mypy --strict and pyright report nothing."""

import ftbench

total: int = ftbench.add(1, 2) + ftbench.sum_list([1, 2, 3]) + ftbench.sum_list((4, 5))
greeting: str = ftbench.greet("Ada", punctuation="?")
pair: tuple[object, ...] = ftbench.make_tuple("x", 2)
ftbench.noop()

point = ftbench.Point(3.0, 4.0)
length: float = point.norm() + point.x + point.y
same: bool = point == ftbench.Point(3.0, 4.0)
hashed: int = hash(point)

counter = ftbench.Counter()
counter.incr()
counter.incr(by=5)
counter.incr_with(lambda: 2)
counter.reset()
value: int = counter.value

atomic = ftbench.AtomicCounter(start=10)
atomic.incr(3)
print(total, greeting, pair, length, same, hashed, value, atomic.value)

repeat = ftbench.Repeat(2, [1, 2])
items: list[int] = repeat.items + repeat(1, [3])
