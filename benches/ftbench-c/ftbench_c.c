/*
 * ftbench_c: the ftbench workloads (see examples/ftbench) as a hand-written
 * C extension, the floor that pyo3-ft is measured against.
 *
 * Written the way a careful C author targets free-threaded CPython 3.13+:
 *   - functions are METH_FASTCALL (METH_NOARGS for argument-less methods),
 *   - multi-phase init declaring Py_mod_gil = Py_MOD_GIL_NOT_USED,
 *   - Point, Counter and AtomicCounter are heap types (PyType_FromModuleAndSpec),
 *   - Counter is guarded by a PyMutex (which detaches while it waits),
 *   - AtomicCounter uses a relaxed atomic add, no lock.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

static int
check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t want)
{
    if (nargs != want) {
        PyErr_Format(PyExc_TypeError, "%s() takes exactly %zd argument%s (%zd given)",
                     name, want, want == 1 ? "" : "s", nargs);
        return -1;
    }
    return 0;
}

static int
no_kwargs(const char *name, PyObject *kwnames)
{
    if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0) {
        PyErr_Format(PyExc_TypeError, "%s() takes no keyword arguments", name);
        return -1;
    }
    return 0;
}

/* The one optional argument `by` (default 1) of the counters' incr(). */
static int
parse_by(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, long long *by)
{
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    PyObject *arg = NULL;
    if (nargs > 1 || nargs + nkw > 1) {
        PyErr_SetString(PyExc_TypeError, "incr() takes at most 1 argument");
        return -1;
    }
    if (nargs == 1) {
        arg = args[0];
    }
    else if (nkw == 1) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(kwnames, 0)) ||
            !PyUnicode_EqualToUTF8(PyTuple_GET_ITEM(kwnames, 0), "by")) {
            PyErr_Format(PyExc_TypeError, "incr() got an unexpected keyword argument '%S'",
                         PyTuple_GET_ITEM(kwnames, 0));
            return -1;
        }
        arg = args[0];
    }
    if (arg == NULL) {
        *by = 1;
        return 0;
    }
    *by = PyLong_AsLongLong(arg);
    if (*by == -1 && PyErr_Occurred()) {
        return -1;
    }
    return 0;
}

/* -------------------------------------------------------------- functions */

static PyObject *
noop(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_nargs("noop", nargs, 0) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
add(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_nargs("add", nargs, 2) < 0) {
        return NULL;
    }
    long long a = PyLong_AsLongLong(args[0]);
    if (a == -1 && PyErr_Occurred()) {
        return NULL;
    }
    long long b = PyLong_AsLongLong(args[1]);
    if (b == -1 && PyErr_Occurred()) {
        return NULL;
    }
    long long sum;
    if (__builtin_add_overflow(a, b, &sum)) {
        PyErr_SetString(PyExc_OverflowError, "add() result does not fit in a 64-bit integer");
        return NULL;
    }
    return PyLong_FromLongLong(sum);
}

/* Adds the items of a list or tuple; `items` stays valid because the caller
 * holds the list's critical section (or the tuple is immutable). */
static int
sum_items(PyObject *const *items, Py_ssize_t n, long long *total)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        long long x = PyLong_AsLongLong(items[i]);
        if (x == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (__builtin_add_overflow(*total, x, total)) {
            PyErr_SetString(PyExc_OverflowError,
                            "sum_list() result does not fit in a 64-bit integer");
            return -1;
        }
    }
    return 0;
}

static PyObject *
sum_list(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_nargs("sum_list", nargs, 1) < 0) {
        return NULL;
    }
    PyObject *xs = args[0];
    long long total = 0;
    int rc;
    if (PyList_Check(xs)) {
        /* One critical section for the whole walk: no other thread resizes
         * the list meanwhile (it is suspended if an __index__ call blocks). */
        Py_BEGIN_CRITICAL_SECTION(xs);
        rc = sum_items(((PyListObject *)xs)->ob_item, PyList_GET_SIZE(xs), &total);
        Py_END_CRITICAL_SECTION();
    }
    else {
        if (PyUnicode_Check(xs)) {
            PyErr_SetString(PyExc_TypeError, "sum_list() wants a sequence of ints, not str");
            return NULL;
        }
        PyObject *seq = PySequence_Fast(xs, "sum_list() wants a sequence of ints");
        if (seq == NULL) {
            return NULL;
        }
        if (PyList_Check(seq)) {
            Py_BEGIN_CRITICAL_SECTION(seq);
            rc = sum_items(PySequence_Fast_ITEMS(seq), PySequence_Fast_GET_SIZE(seq), &total);
            Py_END_CRITICAL_SECTION();
        }
        else {
            rc = sum_items(PySequence_Fast_ITEMS(seq), PySequence_Fast_GET_SIZE(seq), &total);
        }
        Py_DECREF(seq);
    }
    if (rc < 0) {
        return NULL;
    }
    return PyLong_FromLongLong(total);
}

static PyObject *
make_tuple(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_nargs("make_tuple", nargs, 2) < 0) {
        return NULL;
    }
    PyObject *obj = args[0];
    Py_ssize_t n = PyLong_AsSsize_t(args[1]);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < 0) {
        PyErr_SetString(PyExc_OverflowError, "make_tuple(): n must not be negative");
        return NULL;
    }
    PyObject *tuple = PyTuple_New(n);
    if (tuple == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyTuple_SET_ITEM(tuple, i, Py_NewRef(obj));
    }
    return tuple;
}

/* greet(name, /, *, punctuation="!") */
static PyObject *
greet(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (check_nargs("greet", nargs, 1) < 0) {
        return NULL;
    }
    PyObject *name = args[0];
    PyObject *punctuation = NULL;
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, i);
        if (!PyUnicode_EqualToUTF8(key, "punctuation") || punctuation != NULL) {
            PyErr_Format(PyExc_TypeError, "greet() got an unexpected keyword argument '%S'", key);
            return NULL;
        }
        punctuation = args[nargs + i];
    }
    if (!PyUnicode_Check(name) || (punctuation != NULL && !PyUnicode_Check(punctuation))) {
        PyErr_SetString(PyExc_TypeError, "greet() arguments must be str");
        return NULL;
    }
    Py_ssize_t name_len, punct_len = 1;
    const char *name_utf8 = PyUnicode_AsUTF8AndSize(name, &name_len);
    if (name_utf8 == NULL) {
        return NULL;
    }
    const char *punct_utf8 = "!";
    if (punctuation != NULL) {
        punct_utf8 = PyUnicode_AsUTF8AndSize(punctuation, &punct_len);
        if (punct_utf8 == NULL) {
            return NULL;
        }
    }
    static const char hello[] = "Hello, ";
    const Py_ssize_t hello_len = sizeof(hello) - 1;
    Py_ssize_t len = hello_len + name_len + punct_len;
    char stack[256];
    char *buf = len <= (Py_ssize_t)sizeof(stack) ? stack : PyMem_Malloc(len);
    if (buf == NULL) {
        return PyErr_NoMemory();
    }
    memcpy(buf, hello, hello_len);
    memcpy(buf + hello_len, name_utf8, name_len);
    memcpy(buf + hello_len + name_len, punct_utf8, punct_len);
    PyObject *result = PyUnicode_DecodeUTF8(buf, len, NULL);
    if (buf != stack) {
        PyMem_Free(buf);
    }
    return result;
}

static PyObject *
panic_now(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_nargs("panic_now", nargs, 1) < 0) {
        return NULL;
    }
    PyErr_SetObject(PyExc_RuntimeError, args[0]);
    return NULL;
}

static PyMethodDef module_methods[] = {
    {"noop", (PyCFunction)(void (*)(void))noop, METH_FASTCALL, "Does nothing."},
    {"add", (PyCFunction)(void (*)(void))add, METH_FASTCALL, "a + b for 64-bit integers."},
    {"sum_list", (PyCFunction)(void (*)(void))sum_list, METH_FASTCALL,
     "The sum of a list of 64-bit integers."},
    {"make_tuple", (PyCFunction)(void (*)(void))make_tuple, METH_FASTCALL,
     "A tuple holding n references to obj."},
    {"greet", (PyCFunction)(void (*)(void))greet, METH_FASTCALL | METH_KEYWORDS,
     "'Hello, ' + name + punctuation."},
    {"panic_now", (PyCFunction)(void (*)(void))panic_now, METH_FASTCALL,
     "Raises RuntimeError(msg) (C has no panics)."},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------------ Point */

typedef struct {
    PyObject_HEAD
    double x;
    double y;
} PointObject;

static double
as_double(PyObject *o)
{
    return PyFloat_CheckExact(o) ? PyFloat_AS_DOUBLE(o) : PyFloat_AsDouble(o);
}

static PyObject *
Point_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"x", "y", NULL};
    double x, y;
    if (kwds == NULL && PyTuple_GET_SIZE(args) == 2) {
        x = as_double(PyTuple_GET_ITEM(args, 0));
        if (x == -1.0 && PyErr_Occurred()) {
            return NULL;
        }
        y = as_double(PyTuple_GET_ITEM(args, 1));
        if (y == -1.0 && PyErr_Occurred()) {
            return NULL;
        }
    }
    else if (!PyArg_ParseTupleAndKeywords(args, kwds, "dd:Point", kwlist, &x, &y)) {
        return NULL;
    }
    PointObject *self = (PointObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->x = x;
    self->y = y;
    return (PyObject *)self;
}

static void
Point_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    type->tp_free(self);
    Py_DECREF(type);
}

static PyObject *
Point_norm(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    PointObject *self = (PointObject *)op;
    return PyFloat_FromDouble(hypot(self->x, self->y));
}

static PyObject *
Point_repr(PyObject *op)
{
    PointObject *self = (PointObject *)op;
    char *xs = PyOS_double_to_string(self->x, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    char *ys = PyOS_double_to_string(self->y, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    PyObject *result = NULL;
    if (xs != NULL && ys != NULL) {
        result = PyUnicode_FromFormat("Point(x=%s, y=%s)", xs, ys);
    }
    else {
        PyErr_NoMemory();
    }
    PyMem_Free(xs);
    PyMem_Free(ys);
    return result;
}

static PyObject *
Point_richcompare(PyObject *op, PyObject *other, int cmp)
{
    if ((cmp != Py_EQ && cmp != Py_NE) || !PyObject_TypeCheck(other, Py_TYPE(op))) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    PointObject *a = (PointObject *)op, *b = (PointObject *)other;
    int equal = a->x == b->x && a->y == b->y;
    return PyBool_FromLong(cmp == Py_EQ ? equal : !equal);
}

static Py_hash_t
Point_hash(PyObject *op)
{
    PointObject *self = (PointObject *)op;
    uint64_t bx = 0, by = 0;
    if (self->x != 0.0) {
        memcpy(&bx, &self->x, sizeof bx);
    }
    if (self->y != 0.0) {
        memcpy(&by, &self->y, sizeof by);
    }
    Py_hash_t h = (Py_hash_t)(((bx << 32) | (bx >> 32)) ^ by);
    return h == -1 ? -2 : h;
}

static PyMethodDef Point_methods[] = {
    {"norm", Point_norm, METH_NOARGS, "The distance from the origin."},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef Point_members[] = {
    {"x", Py_T_DOUBLE, offsetof(PointObject, x), Py_READONLY, NULL},
    {"y", Py_T_DOUBLE, offsetof(PointObject, y), Py_READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot Point_slots[] = {
    {Py_tp_new, Point_new},
    {Py_tp_dealloc, Point_dealloc},
    {Py_tp_repr, Point_repr},
    {Py_tp_richcompare, Point_richcompare},
    {Py_tp_hash, Point_hash},
    {Py_tp_methods, Point_methods},
    {Py_tp_members, Point_members},
    {Py_tp_doc, "A point in the plane: immutable."},
    {0, NULL},
};

static PyType_Spec Point_spec = {
    .name = "ftbench_c.Point",
    .basicsize = sizeof(PointObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = Point_slots,
};

/* ---------------------------------------------------------------- Counter */

typedef struct {
    PyObject_HEAD
    PyMutex mutex;
    /* The thread holding `mutex` (0 when free), to refuse re-entry. */
    unsigned long owner;
    long long count;
} CounterObject;

static PyObject *
Counter_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"start", NULL};
    long long start = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|L:Counter", kwlist, &start)) {
        return NULL;
    }
    CounterObject *self = (CounterObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->mutex = (PyMutex){0};
    self->owner = 0;
    self->count = start;
    return (PyObject *)self;
}

static int
Counter_lock(CounterObject *self, const char *method)
{
    unsigned long me = PyThread_get_thread_ident();
    if (__atomic_load_n(&self->owner, __ATOMIC_RELAXED) == me) {
        PyErr_Format(PyExc_RuntimeError,
                     "Counter.%s() called while this thread already holds the counter", method);
        return -1;
    }
    PyMutex_Lock(&self->mutex);
    __atomic_store_n(&self->owner, me, __ATOMIC_RELAXED);
    return 0;
}

static void
Counter_unlock(CounterObject *self)
{
    __atomic_store_n(&self->owner, 0, __ATOMIC_RELAXED);
    PyMutex_Unlock(&self->mutex);
}

static int
Counter_add(CounterObject *self, long long by)
{
    if (__builtin_add_overflow(self->count, by, &self->count)) {
        PyErr_SetString(PyExc_OverflowError, "Counter overflowed a 64-bit integer");
        return -1;
    }
    return 0;
}

static PyObject *
Counter_incr(PyObject *op, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    CounterObject *self = (CounterObject *)op;
    long long by;
    if (parse_by(args, nargs, kwnames, &by) < 0 || Counter_lock(self, "incr") < 0) {
        return NULL;
    }
    long long before = self->count;
    int rc = Counter_add(self, by);
    if (rc < 0) {
        self->count = before;
    }
    Counter_unlock(self);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
Counter_incr_with(PyObject *op, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    CounterObject *self = (CounterObject *)op;
    if (check_nargs("incr_with", nargs, 1) < 0 || no_kwargs("incr_with", kwnames) < 0 ||
        Counter_lock(self, "incr_with") < 0) {
        return NULL;
    }
    int rc = -1;
    PyObject *result = PyObject_CallNoArgs(args[0]);
    if (result != NULL) {
        long long by = PyLong_AsLongLong(result);
        Py_DECREF(result);
        if (!(by == -1 && PyErr_Occurred())) {
            long long before = self->count;
            rc = Counter_add(self, by);
            if (rc < 0) {
                self->count = before;
            }
        }
    }
    Counter_unlock(self);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
Counter_reset(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    CounterObject *self = (CounterObject *)op;
    if (Counter_lock(self, "reset") < 0) {
        return NULL;
    }
    self->count = 0;
    Counter_unlock(self);
    Py_RETURN_NONE;
}

static PyObject *
Counter_value(PyObject *op, void *Py_UNUSED(closure))
{
    CounterObject *self = (CounterObject *)op;
    if (Counter_lock(self, "value") < 0) {
        return NULL;
    }
    long long value = self->count;
    Counter_unlock(self);
    return PyLong_FromLongLong(value);
}

static PyMethodDef Counter_methods[] = {
    {"incr", (PyCFunction)(void (*)(void))Counter_incr, METH_FASTCALL | METH_KEYWORDS,
     "Adds `by` (default 1)."},
    {"incr_with", (PyCFunction)(void (*)(void))Counter_incr_with, METH_FASTCALL | METH_KEYWORDS,
     "Calls f() while holding the counter and adds its result."},
    {"reset", Counter_reset, METH_NOARGS, "Sets the count to 0."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Counter_getset[] = {
    {"value", Counter_value, NULL, "The count.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot Counter_slots[] = {
    {Py_tp_new, Counter_new},
    {Py_tp_dealloc, Point_dealloc},
    {Py_tp_methods, Counter_methods},
    {Py_tp_getset, Counter_getset},
    {Py_tp_doc, "A counter guarded by a PyMutex."},
    {0, NULL},
};

static PyType_Spec Counter_spec = {
    .name = "ftbench_c.Counter",
    .basicsize = sizeof(CounterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = Counter_slots,
};

/* ---------------------------------------------------------- AtomicCounter */

typedef struct {
    PyObject_HEAD
    long long count;
} AtomicCounterObject;

static PyObject *
AtomicCounter_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"start", NULL};
    long long start = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|L:AtomicCounter", kwlist, &start)) {
        return NULL;
    }
    AtomicCounterObject *self = (AtomicCounterObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->count = start;
    return (PyObject *)self;
}

static PyObject *
AtomicCounter_incr(PyObject *op, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    long long by;
    if (parse_by(args, nargs, kwnames, &by) < 0) {
        return NULL;
    }
    __atomic_fetch_add(&((AtomicCounterObject *)op)->count, by, __ATOMIC_RELAXED);
    Py_RETURN_NONE;
}

static PyObject *
AtomicCounter_value(PyObject *op, void *Py_UNUSED(closure))
{
    return PyLong_FromLongLong(
        __atomic_load_n(&((AtomicCounterObject *)op)->count, __ATOMIC_RELAXED));
}

static PyMethodDef AtomicCounter_methods[] = {
    {"incr", (PyCFunction)(void (*)(void))AtomicCounter_incr, METH_FASTCALL | METH_KEYWORDS,
     "Adds `by` (default 1)."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef AtomicCounter_getset[] = {
    {"value", AtomicCounter_value, NULL, "The count.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyType_Slot AtomicCounter_slots[] = {
    {Py_tp_new, AtomicCounter_new},
    {Py_tp_dealloc, Point_dealloc},
    {Py_tp_methods, AtomicCounter_methods},
    {Py_tp_getset, AtomicCounter_getset},
    {Py_tp_doc, "A counter on an atomic: no lock at all."},
    {0, NULL},
};

static PyType_Spec AtomicCounter_spec = {
    .name = "ftbench_c.AtomicCounter",
    .basicsize = sizeof(AtomicCounterObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = AtomicCounter_slots,
};

/* ----------------------------------------------------------------- module */

static int
add_type(PyObject *module, PyType_Spec *spec)
{
    PyObject *type = PyType_FromModuleAndSpec(module, spec, NULL);
    if (type == NULL) {
        return -1;
    }
    int rc = PyModule_AddType(module, (PyTypeObject *)type);
    Py_DECREF(type);
    return rc;
}

static int
ftbench_c_exec(PyObject *module)
{
    if (add_type(module, &Point_spec) < 0 || add_type(module, &Counter_spec) < 0 ||
        add_type(module, &AtomicCounter_spec) < 0) {
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot ftbench_c_slots[] = {
    {Py_mod_exec, ftbench_c_exec},
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
    {0, NULL},
};

static struct PyModuleDef ftbench_c_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ftbench_c",
    .m_doc = "The ftbench workloads as a hand-written C extension.",
    .m_size = 0,
    .m_methods = module_methods,
    .m_slots = ftbench_c_slots,
};

PyMODINIT_FUNC
PyInit_ftbench_c(void)
{
    return PyModuleDef_Init(&ftbench_c_module);
}
