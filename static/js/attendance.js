/* The attendance screen, made fast with the keyboard. Without this script the page still
   works: radios, one save button, and "mark all present" saves everyone as present.

   Tab / Shift+Tab or ↑ / ↓   next / previous participant
   ← / →                      change the mark (the radios' own behaviour)
   Space                      toggle present ↔ absent
   P, A, E                    present, absent, excused, then go to the next participant:
                              the physical keys (event.code), so they work whatever the
                              keyboard layout, and also the letters of the labels in the
                              page's language (Қ/Ж/С in Kazakh, П/О/У in Russian), shown in
                              the legend above the list
*/
(function () {
  "use strict";

  var form = document.querySelector("[data-attendance]");
  if (!form || form.hasAttribute("data-read-only")) {
    return;
  }
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-row]"));
  var counts = form.querySelector("[data-counts]");
  var unsaved = form.querySelector("[data-unsaved]");
  var labelsNode = document.getElementById("attendance-labels");
  var labels = labelsNode ? JSON.parse(labelsNode.textContent) : {};
  var lettersNode = document.getElementById("attendance-keys");
  // {"present": "қ", ...} in the page's language, from the server.
  var letters = lettersNode ? JSON.parse(lettersNode.textContent) : {};
  var physical = { KeyP: "present", KeyA: "absent", KeyE: "excused" };

  function shortcutFor(event) {
    var typed = (event.key || "").toLowerCase();
    for (var value in letters) {
      if (Object.prototype.hasOwnProperty.call(letters, value) && letters[value] === typed) {
        return value;
      }
    }
    return physical[event.code] || "";
  }

  function statusOf(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "";
  }

  function radio(row, value) {
    return row.querySelector("input[type=radio][value='" + value + "']");
  }

  function focusRow(row) {
    var target = row.querySelector("input[type=radio]:checked") || radio(row, "present");
    if (target) {
      target.focus();
    }
  }

  function refresh() {
    var tally = { present: 0, absent: 0, excused: 0 };
    rows.forEach(function (row) {
      var status = statusOf(row);
      row.setAttribute("data-status", status);
      if (status in tally) {
        tally[status] += 1;
      }
    });
    if (counts) {
      counts.innerHTML =
        "<strong>" + tally.present + "</strong> " + labels.present + " · " +
        "<strong>" + tally.absent + "</strong> " + labels.absent + " · " +
        "<strong>" + tally.excused + "</strong> " + labels.excused;
    }
  }

  function changed() {
    refresh();
    if (unsaved) {
      unsaved.textContent = unsaved.getAttribute("data-changed");
      unsaved.hidden = false;
    }
  }

  function set(row, value) {
    var input = radio(row, value);
    if (input && !input.checked) {
      input.checked = true;
      changed();
    }
    return input;
  }

  form.addEventListener("change", changed);

  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input || input.type !== "radio") {
      return;
    }
    var row = input.closest("[data-row]");
    var index = rows.indexOf(row);
    var key = event.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      var next = rows[index + (key === "ArrowDown" ? 1 : -1)];
      if (next) {
        focusRow(next);
      }
    } else if (key === " " || key === "Spacebar") {
      event.preventDefault();
      var target = set(row, statusOf(row) === "present" ? "absent" : "present");
      if (target) {
        target.focus();
      }
    } else if (!event.ctrlKey && !event.metaKey && !event.altKey) {
      var shortcut = shortcutFor(event);
      if (shortcut) {
        event.preventDefault();
        set(row, shortcut);
        focusRow(rows[index + 1] || row);
      }
    }
  });

  var allPresent = form.querySelector("[data-all-present]");
  if (allPresent) {
    allPresent.addEventListener("click", function (event) {
      event.preventDefault();
      rows.forEach(function (row) {
        var input = radio(row, "present");
        if (input) {
          input.checked = true;
        }
      });
      changed();
      if (rows.length) {
        focusRow(rows[0]);
      }
    });
  }

  refresh();
})();
