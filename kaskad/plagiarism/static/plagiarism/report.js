/* Linked passages: a click on a highlighted passage scrolls the other text to its
   counterpart (inside its own pane, without moving the page) and flashes it. Links to the
   other source (?source=n#r-k) load the page as usual. */
(function () {
  "use strict";
  function reveal(target) {
    target.scrollIntoView({ block: "center", inline: "nearest", behavior: "smooth" });
    target.classList.add("pl-flash");
    window.setTimeout(function () { target.classList.remove("pl-flash"); }, 1400);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".pl-mark a, .pl-passages a");
    if (!link) return;
    var href = link.getAttribute("href") || "";
    if (href.charAt(0) !== "#") return;
    var target = document.getElementById(href.slice(1));
    if (!target) return;
    event.preventDefault();
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", href);
    }
    reveal(target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    var hash = window.location.hash;
    if (hash && /^#[lr]-\d+$/.test(hash)) {
      var target = document.getElementById(hash.slice(1));
      if (target) reveal(target);
    }
  });
})();
