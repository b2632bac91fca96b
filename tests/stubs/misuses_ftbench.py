"""Misuses ftbench: each marked line is an error both checkers report."""

import ftbench

ftbench.add("1", 2)  # error: a str where an int is wanted
ftbench.greet("Ada", punct="?")  # error: no such keyword
ftbench.greet(name="Ada")  # error: `name` is positional-only
ftbench.Point(1.0, 2.0).length()  # error: no such method
ftbench.Counter().value = 3  # error: a read-only property
ftbench.sum_list(["a"])  # error: a list of str where ints are wanted
text: str = ftbench.add(1, 2)  # error: the result is an int
