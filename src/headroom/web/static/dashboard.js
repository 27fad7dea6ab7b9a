// headroom dashboard: the one piece of script. When the view follows the clock (no ?at=),
// reload it every minute while the tab is visible; a pinned view (?at=...) never changes.
(function () {
  "use strict";
  if (new URLSearchParams(window.location.search).has("at")) {
    return;
  }
  var REFRESH_MS = 60000;
  window.setInterval(function () {
    if (document.visibilityState === "visible") {
      window.location.reload();
    }
  }, REFRESH_MS);
})();
