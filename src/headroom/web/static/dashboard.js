// headroom dashboard: the one piece of script; every page works without it.
// 1. A view that follows the clock (no ?at=) reloads every minute while the tab is visible;
//    a pinned view (?at=...) never changes.
// 2. On a detail page, pointing at a chart shows the figures of the nearest instant. The
//    figures come formatted by the server (#chart-points); the script only places them.
(function () {
  "use strict";

  var REFRESH_MS = 60000;
  if (!new URLSearchParams(window.location.search).has("at")) {
    window.setInterval(function () {
      if (document.visibilityState === "visible") {
        window.location.reload();
      }
    }, REFRESH_MS);
  }

  function nearest(xs, x) {
    var lo = 0;
    var hi = xs.length - 1;
    while (hi - lo > 1) {
      var mid = (lo + hi) >> 1;
      if (xs[mid] < x) { lo = mid; } else { hi = mid; }
    }
    return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
  }

  function attach(figure, points) {
    var svg = figure.querySelector("svg.chart");
    var guide = svg && svg.querySelector("line.hover-guide");
    var readout = figure.querySelector(".readout");
    if (!svg || !guide || !readout || !svg.getScreenCTM) { return; }
    svg.addEventListener("pointermove", function (event) {
      var pt = svg.createSVGPoint();
      pt.x = event.clientX;
      pt.y = event.clientY;
      var local = pt.matrixTransform(svg.getScreenCTM().inverse());
      var k = nearest(points.x, local.x);
      guide.setAttribute("x1", points.x[k]);
      guide.setAttribute("x2", points.x[k]);
      guide.setAttribute("visibility", "visible");
      readout.textContent = points.labels[k];
      readout.hidden = false;
    });
    svg.addEventListener("pointerleave", function () {
      guide.setAttribute("visibility", "hidden");
      readout.hidden = true;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = document.getElementById("chart-points");
    if (!data) { return; }
    var points = JSON.parse(data.textContent);
    if (!points.x.length) { return; }
    document.querySelectorAll("figure.hoverable").forEach(function (figure) {
      attach(figure, points);
    });
  });
})();
