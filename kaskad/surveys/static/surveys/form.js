/* Skip logic and constraints of a survey form, in the browser. The server parsed every
   condition into a small tree (kaskad/surveys/expressions.py) and checks every answer again;
   this file only evaluates the same trees so that questions appear and disappear as the
   respondent answers. No eval, no inline script. */
(function () {
  "use strict";
  var form = document.querySelector("[data-survey-form]");
  if (!form) return;

  function num(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    var s = String(v).trim();
    if (s === "") return NaN;
    var n = Number(s);
    return isNaN(n) ? NaN : n;
  }
  function truth(v) {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return !isNaN(v) && v !== 0;
    return String(v) !== "";
  }
  function text(v) {
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return isNaN(v) ? "" : String(v);
    return v == null ? "" : String(v);
  }
  function compare(op, a, b) {
    var numeric = typeof a === "number" || typeof b === "number";
    if ((op === "=" || op === "!=") && !numeric) {
      return op === "=" ? text(a) === text(b) : text(a) !== text(b);
    }
    var x = num(a), y = num(b);
    if (isNaN(x) || isNaN(y)) return op === "!=";
    switch (op) {
      case "=": return x === y;
      case "!=": return x !== y;
      case "<": return x < y;
      case "<=": return x <= y;
      case ">": return x > y;
      default: return x >= y;
    }
  }
  function ev(node, values, current) {
    var h = node[0];
    switch (h) {
      case "num": case "str": return node[1];
      case "ref": return Object.prototype.hasOwnProperty.call(values, node[1]) ? values[node[1]] : "";
      case "dot": return current == null ? "" : current;
      case "neg": return -num(ev(node[1], values, current));
      case "and": return truth(ev(node[1], values, current)) && truth(ev(node[2], values, current));
      case "or": return truth(ev(node[1], values, current)) || truth(ev(node[2], values, current));
      case "=": case "!=": case "<": case "<=": case ">": case ">=":
        return compare(h, ev(node[1], values, current), ev(node[2], values, current));
      case "+": case "-": case "*": case "div": case "mod":
        var a = num(ev(node[1], values, current)), b = num(ev(node[2], values, current));
        if (h === "+") return a + b;
        if (h === "-") return a - b;
        if (h === "*") return a * b;
        if (b === 0 || isNaN(a) || isNaN(b)) return NaN;
        return h === "div" ? a / b : a % b;
      case "call":
        var f = node[1];
        if (f === "not") return !truth(ev(node[2], values, current));
        if (f === "selected") return text(ev(node[2], values, current)).split(/\s+/).indexOf(text(ev(node[3], values, current))) >= 0;
        if (f === "count-selected") { var s = text(ev(node[2], values, current)).trim(); return s ? s.split(/\s+/).length : 0; }
        if (f === "string-length") return text(ev(node[2], values, current)).length;
    }
    return "";
  }

  function values() {
    var out = {};
    form.querySelectorAll("[data-name]").forEach(function (q) {
      var name = q.getAttribute("data-name"), type = q.getAttribute("data-type");
      var inputs = q.querySelectorAll("[name='" + name + "']");
      var picked = [];
      inputs.forEach(function (i) {
        if (i.disabled) return;
        if (i.type === "radio" || i.type === "checkbox") { if (i.checked) picked.push(i.value); }
        else if (i.value.trim() !== "") picked.push(i.value.trim());
      });
      var v = picked.join(" ");
      if ((type === "integer" || type === "decimal") && v !== "") { var n = Number(v.replace(",", ".")); out[name] = isNaN(n) ? v : n; }
      else if (v !== "") out[name] = v;
    });
    return out;
  }

  function refresh() {
    // Twice: a question shown by a later answer may itself show another.
    for (var pass = 0; pass < 2; pass++) {
      var vals = values();
      form.querySelectorAll("[data-relevant]").forEach(function (el) {
        var show = truth(ev(JSON.parse(el.getAttribute("data-relevant")), vals, ""));
        var hiddenByParent = el.parentElement && el.parentElement.closest("[data-relevant][hidden]");
        el.hidden = !show || !!hiddenByParent;
        el.querySelectorAll("input, textarea, select").forEach(function (i) { i.disabled = el.hidden; });
      });
    }
  }

  function checkConstraint(q) {
    var tree = q.getAttribute("data-constraint");
    var box = q.querySelector(".survey-q__error");
    if (!tree || !box) return true;
    var vals = values(), name = q.getAttribute("data-name");
    if (!Object.prototype.hasOwnProperty.call(vals, name)) { box.hidden = true; return true; }
    var ok = truth(ev(JSON.parse(tree), vals, vals[name]));
    box.textContent = ok ? "" : q.getAttribute("data-constraint-message");
    box.hidden = ok;
    q.classList.toggle("survey-q--error", !ok);
    return ok;
  }

  form.addEventListener("input", refresh);
  form.addEventListener("change", function (e) {
    refresh();
    var q = e.target.closest("[data-name]");
    if (q) checkConstraint(q);
  });
  form.addEventListener("submit", function (e) {
    var ok = true;
    form.querySelectorAll("[data-constraint]").forEach(function (q) { if (!q.hidden && !checkConstraint(q)) ok = false; });
    if (!ok) e.preventDefault();
  });
  refresh();
})();
