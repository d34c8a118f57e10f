// Filters for long tables: progressive enhancement. A table with
// data-filter="severity category …" gets one select per key, built from the
// rows' data-KEY values ("|" between several); choosing one hides the rows
// that do not carry it. Without JavaScript the table lists everything.
(function () {
  "use strict";
  var labels = { severity: "Severity", category: "Category", service: "Service", year: "Year", status: "Status", owner: "Owner" };
  function values(row, key) {
    var raw = row.getAttribute("data-" + key);
    return raw ? raw.split("|") : [];
  }
  document.querySelectorAll("table[data-filter]").forEach(function (table, n) {
    var keys = table.getAttribute("data-filter").split(" ");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var form = document.createElement("form");
    form.className = "filters table-filters";
    // Each form is a landmark: named after its table's section, so several are told apart.
    var section = table.closest("section");
    var heading = section && section.querySelector("h2");
    form.setAttribute("aria-label", "Filter " + (heading ? heading.textContent.trim().toLowerCase() : "the table"));
    var status = document.createElement("p");
    status.className = "muted filter-status";
    status.setAttribute("role", "status");
    var selects = keys.map(function (key) {
      var seen = {};
      rows.forEach(function (r) { values(r, key).forEach(function (v) { seen[v] = true; }); });
      var options = Object.keys(seen).sort();
      if (key === "year") options.reverse();
      var label = document.createElement("label");
      var select = document.createElement("select");
      select.id = "filter-" + n + "-" + key;
      select.name = key;
      label.htmlFor = select.id;
      label.textContent = (labels[key] || key) + " ";
      select.appendChild(new Option("any", ""));
      options.forEach(function (v) { select.appendChild(new Option(v.replace(/-/g, " "), v)); });
      label.appendChild(select);
      form.appendChild(label);
      return select;
    });
    function apply() {
      var shown = 0;
      rows.forEach(function (r) {
        var ok = selects.every(function (s) { return !s.value || values(r, s.name).indexOf(s.value) >= 0; });
        r.hidden = !ok;
        if (ok) shown++;
      });
      status.textContent = shown === rows.length ? rows.length + " shown" : shown + " of " + rows.length + " shown";
    }
    // Filters in the address (?severity=SEV1) apply on load, so a filtered list can be shared.
    var params = new URLSearchParams(location.search);
    selects.forEach(function (s) {
      if (params.has(s.name)) s.value = params.get(s.name);
      s.addEventListener("change", apply);
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.appendChild(status);
    var anchor = table.closest(".table-scroll") || table;
    anchor.parentNode.insertBefore(form, anchor);
    apply();
  });
})();
