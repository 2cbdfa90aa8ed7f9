"""sPyNNaker's fixed-point arithmetic, bit for bit, on Python ints.

Types (ISO/IEC TR 18037 as GCC implements them for the ARM968 of SpiNNaker):

* ``REAL`` = ``accum`` = s16.15 in an int32 (``common/maths-util.h``); ``bitsk``/``kbits``
  reinterpret the bits. Plain ``accum`` arithmetic is *not* saturating: results wrap.
* ``decay_t`` = ``UFRACT`` = ``unsigned long fract`` = u0.32 in a uint32.
* STDP traces and look-up tables: int16 with 11 fractional bits
  (``plasticity/stdp/stdp_typedefs.h`` ``STDP_FIXED_POINT``).

Every function names the C (or Python) source whose rounding it reproduces. The C sources
are sPyNNaker's ``neural_modelling/src`` (upstream master of 17 Oct 2023, after 7.1.0; the
7.4.1 C tree is not installed, see docs/spinnaker_emulator.md) and spinn_common 7.4.1
(``src/stdfix-exp.c``, ``include/utils.h``). Values are plain Python ints holding the bit
patterns; the Numba kernel (:mod:`.kernel`) inlines the same operations on int64.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

__all__ = [
    "ACCUM_ONE",
    "STDP_FIXED_POINT_ONE",
    "decay_s1615",
    "decay_s1615_to_u032",
    "exp_lut",
    "expk",
    "expulr",
    "from_s1615",
    "kdivk",
    "kdivui",
    "lif_ceil_accum",
    "mul_accum",
    "mul_accum_fixed",
    "s32",
    "s1615",
    "stdp_mul16",
]

#: 1.0 as s16.15 bits.
ACCUM_ONE = 1 << 15
#: 1.0 in the STDP traces' fixed point (stdp_typedefs.h STDP_FIXED_POINT = 11).
STDP_FIXED_POINT_ONE = 1 << 11
S1615_MIN, S1615_MAX = -(1 << 31), (1 << 31) - 1


def s32(x: int) -> int:
    """Wrap to a signed 32-bit int (the register width; non-saturating accum arithmetic)."""
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def s1615(value: float) -> int:
    """Bits of a value written as ``DataType.S1615`` by sPyNNaker's Python.

    ``spinn_front_end_common/interface/ds/data_type.py`` ``DataType.encode_as_int``:
    ``int(round(Decimal(str(value)) * 32768))`` - the decimal text of the float, rounded
    half to even (Python's ``round`` of a ``Decimal``). Neuron parameters go through
    ``spynnaker/pyNN/utilities/utility_calls.py`` ``convert_to``, which calls it too.
    """
    bits = round(Decimal(str(float(value))) * 32768)
    if not S1615_MIN <= bits <= S1615_MAX:
        raise OverflowError(f"{value} does not fit S16.15")
    return bits


def from_s1615(bits: int | np.ndarray) -> float | np.ndarray:
    """The real value of s16.15 bits."""
    return np.asarray(bits, dtype=np.float64) / ACCUM_ONE if isinstance(bits, np.ndarray) \
        else bits / ACCUM_ONE


def mul_accum(a: int, b: int) -> int:
    """``accum * accum`` as GCC compiles it for SpiNNaker: **truncation** (floor).

    GCC expands the SA-mode multiply inline on ARM (``gcc/config/arm/arm-fixed.md``,
    ``mulsa3``, any core with ``arm_arch3m`` such as the ARM968): ``smull`` to 64 bits, then
    bits [46:15] - an arithmetic shift right by 15 with no rounding, wrapped to 32 bits.
    (libgcc's ``__mulsa3`` would round half up; it is not called on this target.) Used by
    ``neuron_model_lif_impl.h`` ``lif_neuron_closed_form`` (``input * R``, ``exp_TC * (alpha -
    V)``) and ``stdp_typedefs.h`` ``mul_accum_fixed``.
    """
    return s32((a * b) >> 15)


def decay_s1615(x: int, decay: int) -> int:
    """``neuron/decay.h`` ``decay_s1615``: ``(int64 bitsk(x) * uint64 decay) >> 32`` (floor)."""
    return s32((x * decay) >> 32)


def decay_s1615_to_u032(x: int, decay: int) -> int:
    """``neuron/decay.h`` ``decay_s1615_to_u032``: ``(uint64 bitsk(x) * decay) >> 15``, cast
    to uint32 (an s16.15 times a u0.32 gives a u0.32)."""
    return ((x & 0xFFFFFFFF) * decay >> 15) & 0xFFFFFFFF


def kdivk(a: int, b: int) -> int:
    """``common/maths-util.h`` ``kdivk``: ``udiv64((uint64) bitsk(a) << 15, bitsk(b))``,
    unsigned floor division (used with positive operands), cast to 32 bits."""
    return s32((((a & 0xFFFFFFFF) << 15) & 0xFFFFFFFFFFFFFFFF) // (b & 0xFFFFFFFFFFFFFFFF))


def kdivui(a: int, b: int) -> int:
    """``common/maths-util.h`` ``kdivui``: ``udiv64(bitsk(a), b)`` (floor)."""
    return s32((a & 0xFFFFFFFF) // b)


def lif_ceil_accum(value: int) -> int:
    """``neuron_model_lif_impl.h`` ``lif_ceil_accum``: integer part plus one if any
    fractional bit is set (the refractory period in ticks)."""
    integer, fraction = value >> 15, value & 0x7FFF
    return integer + 1 if fraction > 0 else integer


# -- spinn_common 7.4.1 src/stdfix-exp.c -------------------------------------------------
# exp(z) * 2**32 for z = -13 .. 12 (__exp_hi), 1 - exp(-k/16) as u0.32 (__expm1_mid) and
# the series coefficients of 1 - exp(-y) for the remaining 11 bits (__exp_series): the
# published tables of stdfix-exp.c, reproduced here as numbers.
_EXP_HI = (
    9708, 26389, 71733, 194991, 530041, 1440801, 3916503, 10646160, 28939262, 78665070,
    213833830, 581260615, 1580030169, 4294967296, 11674931555, 31735754293, 86266724208,
    234497268814, 637429664642, 1732713474316, 4710003551159, 12803117065094,
    34802480465680, 94602950235157, 257157480542844, 699026506411923)
_EXPM1_MID = (
    0, 260218914, 504671961, 734314346, 950043403, 1152702096, 1343082321, 1521927990,
    1689937949, 1847768698, 1996036966, 2135322113, 2266168400, 2389087112, 2504558555,
    2613033936)
_EXP_SERIES = (5294, 4293434720, 2081624032)


def _round64(x: int) -> int:
    """``utils.h`` ``round64``: the high word, plus one if the low word >= INT32_MAX."""
    return (x >> 32) + (1 if (x & 0xFFFFFFFF) >= 0x7FFFFFFF else 0)


def _scale64(x: int, y: int) -> int:
    """``utils.h`` ``scale64``: x (uint64) times y (u0.32), rounding the low part."""
    return (_round64((x & 0xFFFFFFFF) * y) + (x >> 32) * y) & 0xFFFFFFFFFFFFFFFF


def _coef_mult(c: int, x: int) -> int:
    return (c * x) >> 32


def _exp_series(x: int) -> int:
    tmp = (_EXP_SERIES[1] - _coef_mult(_EXP_SERIES[2], x)) & 0xFFFFFFFF
    tmp = _coef_mult(tmp, x)
    return (tmp + _EXP_SERIES[0]) & 0xFFFFFFFF


def _expi64(n: int) -> int:
    """``stdfix-exp.c`` ``__expi64``: exp(n / 2**15) * 2**32 as a uint64 (n = s16.15 bits)."""
    z = n >> 15
    f = n - (z << 15)
    if f > 0:
        z += 1
        f = 32768 - f
        tmp = _EXP_HI[13 + z]
        tmp = (tmp - _scale64(tmp, _EXPM1_MID[f >> 11])) & 0xFFFFFFFFFFFFFFFF
        y = (f & 0x7FF) << 17
        tmp = (tmp - _scale64(tmp, _exp_series(y))) & 0xFFFFFFFFFFFFFFFF
        return tmp
    return _EXP_HI[13 + z]


def expk(x: int) -> int:
    """``stdfix-exp.c`` ``expk``: s16.15 exp, ``__expi64(n) >> 17`` (truncated); saturates
    above n = 363408 and gives 0 below n = -340695."""
    if x > 363408:
        return S1615_MAX
    if x < -340695:
        return 0
    return s32(_expi64(x) >> 17)


def expulr(x: int) -> int:
    """``stdfix-exp.c`` ``expulr``: exp as u0.32, the low 32 bits of ``__expi64`` (for
    x <= 0; exp(0) wraps to 0 as on the board)."""
    if x > 363408:
        return 0x7FFFFFFF
    if x < -340695:
        return 0
    return _expi64(x) & 0xFFFFFFFF


# -- STDP ----------------------------------------------------------------------------------
def stdp_mul16(a: int, b: int) -> int:
    """``plasticity/stdp/maths.h`` ``maths_fixed_mul16`` (``STDP_FIXED_MUL_16X16``):
    ``__smulbb(a, b) >> 11`` - the signed bottom half-words multiplied, arithmetic shift."""
    a16 = ((a + 0x8000) & 0xFFFF) - 0x8000
    b16 = ((b + 0x8000) & 0xFFFF) - 0x8000
    return (a16 * b16) >> 11


def int16(x: int) -> int:
    """Cast to int16 (trace types ``pre_trace_t``/``post_trace_t`` are int16_t)."""
    return ((x + 0x8000) & 0xFFFF) - 0x8000


def mul_accum_fixed(a: int, stdp_fixed: int) -> int:
    """``stdp_typedefs.h`` ``mul_accum_fixed``: ``a * kbits(stdp_fixed << 4)``, an accum
    multiply (truncating, see :func:`mul_accum`)."""
    return mul_accum(a, s32(stdp_fixed << 4))


def exp_lut(time_step_ms: float, tau_ms: float, shift: int = 0) -> np.ndarray:
    """The exponential-decay table sPyNNaker's Python writes for an STDP time constant.

    ``spynnaker/pyNN/models/neuron/plasticity/stdp/common.py`` ``get_exp_lut_array``:
    ``size = log(2048) / (dt/tau)`` rounded up to an even number of entries, values
    ``floor(exp(-(k << shift) dt/tau) * 2048)`` (float64). Returns the int16 values; the
    C side (``maths.h`` ``maths_lut_exponential_decay``) gives 0 past the end.
    """
    lam = time_step_ms / float(tau_ms)
    size = math.log(STDP_FIXED_POINT_ONE) / lam
    half, extra = divmod(size / (1 << shift), 2)
    size = (int(half) + (extra > 0)) * 2
    values = np.floor(np.exp((np.arange(size) << shift) * -lam) * STDP_FIXED_POINT_ONE)
    return values.astype(np.int64)


def lut_value(lut: np.ndarray, delta: int, shift: int = 0) -> int:
    """``maths.h`` ``maths_lut_exponential_decay`` for a non-negative time difference; a
    negative one (a uint32 wrap on the board) reads past the table: 0."""
    if delta < 0:
        return 0
    idx = delta >> shift
    return int(lut[idx]) if idx < len(lut) else 0
