"""Phase diagrams of a sweep: an order parameter over one or two axes, theory overlaid."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from neurosim.errors import ParameterError

__all__ = ["PhaseDiagram"]

_OWNER = "PhaseDiagram"
Theory = Callable[[np.ndarray], Any] | tuple[Sequence[float], Sequence[float]]


def _label(name: str, attrs: Mapping[str, Any]) -> str:
    unit = attrs.get("units")
    return f"{name} ({unit})" if unit else name


class PhaseDiagram:
    """An order parameter over one or two sweep axes, mean over repeats.

    With ``y``: a heatmap of the mean over repeats, the order parameter as colour. Without:
    the mean ± standard error over repeats against ``x`` (with ``kind="lines"`` and a ``y``,
    one such line per value of ``y``). Axis labels carry the units of the coordinates.

    Parameters
    ----------
    data
        An ``xarray.Dataset`` from :meth:`ResultStore.to_xarray` (or anything with a
        ``to_xarray()`` method, such as a :class:`SweepResult`). Dimensions other than ``x``,
        ``y`` and ``repeat`` must have length 1: select first (``ds.sel(N=200)``).
    order
        The variable shown (the order parameter).
    x, y
        Dimensions on the horizontal and vertical axes.
    theory
        ``{label: curve}`` overlaid on the plot: ``curve`` is a function of ``x`` (in the
        units of the ``x`` coordinate) returning ``y`` for a heatmap (a phase boundary) or
        the order parameter for a line plot, or a pair ``(xs, ys)`` of points.
    kind
        ``"auto"`` (a heatmap with ``y``, else lines), ``"heatmap"`` or ``"lines"``.
    xscale, yscale
        ``"linear"`` or ``"log"``.
    cmap, vmin, vmax
        Colour map and its range (heatmap).
    title
        Figure title (default: the order parameter's name).
    label
        Legend entry of a single line plot (default: the order parameter's name); use it to
        tell apart diagrams drawn on one ``ax``.

    Examples
    --------
    >>> ds = result.to_xarray()                                   # doctest: +SKIP
    >>> fig = PhaseDiagram(ds, "overlap", x="alpha", y="N",
    ...                    theory={"alpha_c": lambda a: 0 * a + 0.138}).plot()
    """

    #: a heatmap axis with at most this many numeric values (on a linear scale) is drawn as
    #: categories: one equal cell per value
    FEW = 4

    def __init__(
        self,
        data: Any,
        order: str,
        x: str,
        y: str | None = None,
        *,
        theory: Mapping[str, Theory] | None = None,
        kind: str = "auto",
        xscale: str = "linear",
        yscale: str = "linear",
        cmap: str = "viridis",
        vmin: float | None = None,
        vmax: float | None = None,
        title: str | None = None,
        label: str | None = None,
    ) -> None:
        import xarray as xr

        if not isinstance(data, xr.Dataset) and hasattr(data, "to_xarray"):
            data = data.to_xarray()
        if not isinstance(data, xr.Dataset):
            raise ParameterError("data", data, "an xarray.Dataset from a sweep", _OWNER)
        if order not in data.data_vars:
            raise ParameterError("order", order, f"one of the variables {list(data.data_vars)}",
                                 _OWNER)
        dims = list(data[order].dims)
        for param, dim in (("x", x), ("y", y)):
            if dim is not None and (dim not in dims or dim == "repeat"):
                axes = [d for d in dims if d != "repeat"]
                raise ParameterError(param, dim, f"one of the dimensions {axes}", _OWNER)
        if x == y:
            raise ParameterError("y", y, "a dimension other than x", _OWNER)
        if kind not in ("auto", "heatmap", "lines"):
            raise ParameterError("kind", kind, "'auto', 'heatmap' or 'lines'", _OWNER)
        if kind == "heatmap" and y is None:
            raise ParameterError("y", y, "a dimension for a heatmap", _OWNER)
        for param, scale in (("xscale", xscale), ("yscale", yscale)):
            if scale not in ("linear", "log"):
                raise ParameterError(param, scale, "'linear' or 'log'", _OWNER)
        extra = [d for d in dims if d not in (x, y, "repeat") and data.sizes[d] > 1]
        if extra:
            raise ParameterError(
                "data", f"dimensions {extra}",
                f"only {[d for d in (x, y) if d]} and 'repeat' with more than one value: "
                "select the others first, e.g. ds.sel(...) or ds.isel(...)", _OWNER)
        self.data = data
        self.order, self.x, self.y = order, x, y
        self.theory = dict(theory or {})
        self.kind = ("heatmap" if y else "lines") if kind == "auto" else kind
        self.xscale, self.yscale = xscale, yscale
        self.cmap, self.vmin, self.vmax = cmap, vmin, vmax
        if title is None:
            # Say which slice is shown: the coordinates selected away (ds.sel(N=200)).
            picked = [f"{d} = {data[d].values.item()} {data[d].attrs.get('units', '')}".rstrip()
                      for d in data[order].coords if d not in (x, y, "repeat")
                      and data[d].size == 1]
            title = order + (f" ({', '.join(picked)})" if picked else "")
        self.title = title
        self.label = order if label is None else label
        self.figure = None
        self.ax = None

    # -- statistics -----------------------------------------------------------------------------
    def _reduced(self) -> tuple[Any, Any]:
        """Mean and standard error of the mean over repeats (NaN points ignored)."""
        da = self.data[self.order].astype(float)
        da = da.squeeze([d for d in da.dims if d not in (self.x, self.y, "repeat")])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells: not run yet
            if "repeat" not in da.dims:
                return da, da * np.nan
            n = da.count("repeat")
            mean = da.mean("repeat", skipna=True)
            sem = da.std("repeat", ddof=1, skipna=True) / np.sqrt(n)
        return mean, sem.where(n > 1, 0.0)

    # -- drawing --------------------------------------------------------------------------------
    def plot(self, ax: Any = None):
        """Draw the diagram (on ``ax``, or a new figure) and return the figure."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
        else:
            fig = ax.figure
        self.figure, self.ax = fig, ax
        mean, sem = self._reduced()
        if self.kind == "heatmap":
            self._heatmap(ax, mean)
        else:
            self._lines(ax, mean, sem)
        ax.set_title(self.title)
        return fig

    def _coord(self, values: Any, scale: str | None = None
               ) -> tuple[np.ndarray, list[str] | None]:
        """Plot positions of a coordinate's ``values``; tick labels for a categorical one.
        With ``scale`` (a heatmap's axis), numeric values, at most :attr:`FEW` of them, on
        a linear axis are drawn as categories too: equal cells, each labelled with its
        value (two network sizes, 1000 and 2000, are two rows, not a continuum from 500 to
        2500)."""
        values = np.asarray(values)
        if values.dtype.kind in "iuf" and not (scale == "linear" and len(values) <= self.FEW):
            return values.astype(float), None
        labels = [f"{v:g}" if values.dtype.kind in "iuf" else str(v) for v in values]
        return np.arange(len(values), dtype=float), labels

    @staticmethod
    def _edges(pos: np.ndarray, scale: str) -> np.ndarray:
        """Cell edges halfway between values (geometrically halfway on a log axis)."""
        p = np.log(pos) if scale == "log" else pos
        if len(p) == 1:
            edges = p[0] + np.array([-0.5, 0.5])
        else:
            mid = (p[1:] + p[:-1]) / 2
            edges = np.concatenate([[p[0] - (mid[0] - p[0])], mid, [p[-1] + (p[-1] - mid[-1])]])
        return np.exp(edges) if scale == "log" else edges

    def _heatmap(self, ax: Any, mean: Any) -> None:
        assert self.y is not None
        # numeric coordinates in increasing order, so that the cell edges increase (a grid
        # may list its values any way)
        numeric = [d for d in (self.x, self.y) if mean[d].values.dtype.kind in "iuf"]
        mean = mean.sortby(numeric) if numeric else mean
        xs, xticks = self._coord(mean[self.x].values, self.xscale)
        ys, yticks = self._coord(mean[self.y].values, self.yscale)
        z = np.asarray(mean.transpose(self.y, self.x).values, dtype=float)
        mesh = ax.pcolormesh(self._edges(xs, self.xscale if xticks is None else "linear"),
                             self._edges(ys, self.yscale if yticks is None else "linear"),
                             np.ma.masked_invalid(z), cmap=self.cmap, vmin=self.vmin,
                             vmax=self.vmax, shading="flat")
        bar = ax.figure.colorbar(mesh, ax=ax)
        bar.set_label(_label(self.order, self.data[self.order].attrs))
        self._axes(ax, xticks, yticks, xs, ys)
        limits = ax.get_xlim(), ax.get_ylim()
        self._theory(ax, np.asarray(limits[0]) if xticks is None else None, color="white")
        ax.set_xlim(*limits[0])
        ax.set_ylim(*limits[1])

    def _lines(self, ax: Any, mean: Any, sem: Any) -> None:
        xs, xticks = self._coord(self.data[self.x].values)
        order = np.argsort(xs) if xticks is None else np.arange(len(xs))
        if self.y is None:
            ax.errorbar(xs[order], np.asarray(mean.values, float)[order],
                        yerr=np.asarray(sem.values, float)[order], fmt="o-", capsize=3,
                        label=self.label)
        else:
            unit = self.data[self.y].attrs.get("units", "")
            for v in self.data[self.y].values:
                m = np.asarray(mean.sel({self.y: v}).values, float)[order]
                s = np.asarray(sem.sel({self.y: v}).values, float)[order]
                ax.errorbar(xs[order], m, yerr=s, fmt="o-", capsize=3,
                            label=f"{self.y} = {v} {unit}".rstrip())
        self._axes(ax, xticks, None, xs[order], None)
        ax.set_ylabel(_label(self.order, self.data[self.order].attrs))
        self._theory(ax, xs[order] if xticks is None else None, color="black")
        if self.y is not None or self.theory:
            ax.legend(fontsize="small")

    def _axes(self, ax: Any, xticks: list[str] | None, yticks: list[str] | None,
              xs: np.ndarray, ys: np.ndarray | None) -> None:
        ax.set_xlabel(_label(self.x, self.data[self.x].attrs))
        if xticks is None:
            ax.set_xscale(self.xscale)
        else:
            ax.set_xticks(xs, xticks)
        if self.y is not None and self.kind == "heatmap":
            ax.set_ylabel(_label(self.y, self.data[self.y].attrs))
            if yticks is None:
                ax.set_yscale(self.yscale)
            else:
                ax.set_yticks(ys, yticks)
        elif yticks is None:
            ax.set_yscale(self.yscale)

    def _theory(self, ax: Any, xs: np.ndarray | None, color: str) -> None:
        styles = ["--", ":", "-.", (0, (5, 1, 1, 1))]
        for k, (label, curve) in enumerate(self.theory.items()):
            if callable(curve):
                if xs is None:
                    raise ParameterError("theory", label, "pairs (xs, ys) on a categorical "
                                         f"axis {self.x!r}", _OWNER)
                lo, hi = float(np.min(xs)), float(np.max(xs))
                grid = (np.geomspace(lo, hi, 400) if self.xscale == "log" and lo > 0
                        else np.linspace(lo, hi, 400))
                cx, cy = grid, np.broadcast_to(np.asarray(curve(grid), dtype=float), grid.shape)
            else:
                cx, cy = (np.asarray(c, dtype=float) for c in curve)
            line_color = color if len(self.theory) == 1 or self.kind == "heatmap" else None
            ax.plot(cx, cy, ls=styles[k % len(styles)], lw=1.8, color=line_color, label=label)
        if self.theory and self.kind == "heatmap":
            ax.legend(fontsize="small", loc="best")
