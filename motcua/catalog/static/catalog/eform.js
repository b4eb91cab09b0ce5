// Conditional e-form fields (catalog.conditions in the browser). Progressive
// enhancement only: without JavaScript every field shows and the server ignores
// answers to fields whose condition is false.
(function () {
  "use strict";
  function valueOf(root, prefix, name) {
    var els = root.querySelectorAll('[name="' + prefix + name + '"]');
    if (!els.length) { return null; }
    var el = els[0];
    if (el.type === "checkbox") { return el.checked; }
    if (el.type === "radio") {
      for (var i = 0; i < els.length; i++) { if (els[i].checked) { return els[i].value; } }
      return null;
    }
    if (el.value === "") { return null; }
    if (el.type === "number") { return Number(el.value); }
    return el.value;
  }
  function evaluate(cond, get) {
    if (!cond) { return true; }
    if (cond.all) { return cond.all.every(function (c) { return evaluate(c, get); }); }
    if (cond.any) { return cond.any.some(function (c) { return evaluate(c, get); }); }
    if (cond.not) { return !evaluate(cond.not, get); }
    var v = get(cond.field);
    if ("equals" in cond) { return v === cond.equals; }
    if ("not_equals" in cond) { return v !== cond.not_equals; }
    if ("in" in cond) { return cond["in"].indexOf(v) !== -1; }
    if ("empty" in cond) { return (v === null || v === "") === cond.empty; }
    if (v === null) { return false; }
    if ("gt" in cond) { return v > cond.gt; }
    if ("gte" in cond) { return v >= cond.gte; }
    if ("lt" in cond) { return v < cond.lt; }
    if ("lte" in cond) { return v <= cond.lte; }
    return true;
  }
  function refresh() {
    document.querySelectorAll("[data-eform]").forEach(function (root) {
      var prefix = root.getAttribute("data-eform-prefix") || "";
      var get = function (name) { return valueOf(root, prefix, name); };
      root.querySelectorAll("[data-visible-if]").forEach(function (item) {
        var visible = true;
        try { visible = evaluate(JSON.parse(item.getAttribute("data-visible-if")), get); } catch (e) { visible = true; }
        item.hidden = !visible;
      });
    });
  }
  document.addEventListener("change", refresh);
  document.addEventListener("input", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSettle", refresh);
})();
