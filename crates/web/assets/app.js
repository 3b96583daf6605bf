// Live countdowns for deadlines: <span class="countdown" data-due="RFC3339"
// data-at-risk="RFC3339"> shows the time left and colours itself on time,
// at risk or breached. The server renders the first value; this keeps it live.
(function () {
  function fmt(ms) {
    var neg = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    var text = (d ? d + "d " : "") + h + "h " + (m < 10 ? "0" : "") + m + "m";
    return neg ? "-" + text : text;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due), risk = el.dataset.atRisk ? Date.parse(el.dataset.atRisk) : null;
      if (isNaN(due)) return;
      el.textContent = fmt(due - now);
      el.classList.remove("on-time", "at-risk", "breached");
      el.classList.add(now >= due ? "breached" : (risk && now >= risk) ? "at-risk" : "on-time");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();

// Owners' portal: the unit suggestions follow the chosen building (the page
// works without this: every unit is suggested); the chosen photos are
// counted; the receipt can be printed; a form is sent once.
(function () {
  function portal() {
    document.querySelectorAll("select[data-unit-input]").forEach(function (sel) {
      var input = document.getElementById(sel.dataset.unitInput);
      if (!input) return;
      function follow(clear) {
        var opt = sel.options[sel.selectedIndex], id = opt && opt.dataset.list;
        input.setAttribute("list", id || input.dataset.allList);
        var list = id && document.getElementById(id);
        if (clear && list && input.value) {
          var known = Array.prototype.some.call(list.options, function (o) { return o.value === input.value; });
          if (!known) input.value = "";
        }
      }
      sel.addEventListener("change", function () { follow(true); });
      follow(false);
    });
    document.querySelectorAll("[data-photo-count]").forEach(function (out) {
      var form = out.closest("form"), max = +out.dataset.max;
      if (!form) return;
      form.addEventListener("change", function () {
        var n = 0;
        form.querySelectorAll("input[type=file]").forEach(function (i) { n += i.files ? i.files.length : 0; });
        out.textContent = n ? (n > max ? out.dataset.tooMany : out.dataset.text.replace("{n}", n)) : "";
        out.classList.toggle("alert", n > max);
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("form[data-once]").forEach(function (f) {
      f.addEventListener("submit", function () {
        var b = f.querySelector("button[type=submit]");
        if (!b) return;
        setTimeout(function () { b.disabled = true; if (b.dataset.submitting) b.textContent = b.dataset.submitting; }, 0);
      });
    });
  }
  // Coming back to a page from the history: its buttons work again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-once] button[disabled]").forEach(function (b) { b.disabled = false; });
  });
  document.addEventListener("DOMContentLoaded", portal);
})();

// Staff complaint pages.
// Reveal: <button data-reveal="/api/v1/complaints/ID/reveal"> asks the API
// (session cookie, JSON) for the name, phone and unit in clear; the reveal
// is recorded in the complaint's history. Elements marked
// data-personal="name|phone|unit|description" receive the clear values.
// Place: in a form marked data-org-place, choosing a project offers its
// buildings, and a building its units (from #cx-org-units, the projects
// as GET /api/v1/projects gives them).
(function () {
  function reveal(btn) {
    var box = btn.closest("section") || document;
    var error = box.querySelector("[data-reveal-error]");
    btn.disabled = true;
    fetch(btn.getAttribute("data-reveal"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ fields: ["name", "phone", "unit"] })
    }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, body: body }; });
    }).then(function (r) {
      if (!r.ok) {
        var lang = document.documentElement.lang || "zh-CN";
        if (error) { error.textContent = lang === "en" ? r.body.message_en : r.body.message_zh; error.hidden = false; }
        btn.disabled = false;
        return;
      }
      ["name", "phone", "unit", "description"].forEach(function (f) {
        if (r.body[f] == null) return;
        document.querySelectorAll('[data-personal="' + f + '"]').forEach(function (el) {
          el.textContent = r.body[f];
          el.classList.add("cx-revealed");
        });
      });
      btn.hidden = true;
    }).catch(function () { btn.disabled = false; });
  }

  function places() {
    var data = document.getElementById("cx-org-units");
    if (!data) return;
    var projects;
    try { projects = JSON.parse(data.textContent); } catch (e) { return; }
    document.querySelectorAll("form[data-org-place]").forEach(function (form) {
      var project = form.querySelector('[data-place="project"]');
      var building = form.querySelector('[data-place="building"]');
      var unit = form.querySelector('[data-place="unit"]');
      if (!project || !building || !unit) return;
      var buildings = document.getElementById(building.getAttribute("list"));
      var units = document.getElementById(unit.getAttribute("list"));
      function fill(list, values) {
        if (!list) return;
        list.textContent = "";
        values.forEach(function (v) { var o = document.createElement("option"); o.value = v; list.appendChild(o); });
      }
      function current() {
        for (var i = 0; i < projects.length; i++) if (projects[i].code === project.value) return projects[i];
        return null;
      }
      function update() {
        var p = current();
        fill(buildings, p ? p.buildings.map(function (b) { return b.name; }) : []);
        var b = p && p.buildings.filter(function (x) { return x.name === building.value; })[0];
        fill(units, b ? b.units : []);
      }
      project.addEventListener("change", update);
      building.addEventListener("change", update);
      building.addEventListener("input", update);
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-reveal]").forEach(function (btn) {
      btn.addEventListener("click", function () { reveal(btn); });
    });
    places();
  });
})();
// Forms that ask before they act: <form data-confirm="question"> (resetting
// a password). Without JavaScript the form simply submits.
document.addEventListener("submit", function (e) {
  var form = e.target, question = form && form.dataset ? form.dataset.confirm : null;
  if (question && !window.confirm(question)) e.preventDefault();
});
// The intake form's triage panel: while the agent types the subject or the
// description, ask the server what triage reads (debounced) and show it
// beside the form. Without JavaScript the form's "analyse" button does it.
(function () {
  var panel = document.getElementById("cx-triage-panel");
  if (!panel) return;
  var form = document.querySelector("form.cx-intake");
  if (!form) return;
  var timer = null, sent = 0;
  function ask() {
    var data = new URLSearchParams();
    data.set("csrf", form.elements.csrf.value);
    data.set("subject", form.elements.subject.value);
    data.set("description", form.elements.description.value);
    var mine = ++sent;
    fetch(panel.dataset.triageUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null && mine === sent) panel.innerHTML = html; })
      .catch(function () { /* the panel keeps its last reading */ });
  }
  form.querySelectorAll("[data-triage-live]").forEach(function (el) {
    el.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 350);
    });
  });
})();
// After an action the page says what was done (`?done=…`); drop that from the
// address so that reloading the page does not say it again.
(function () {
  if (!window.history || !window.history.replaceState || !window.URL) return;
  var url = new URL(window.location.href);
  if (!url.searchParams.has("done")) return;
  url.searchParams.delete("done");
  window.history.replaceState(null, "", url.pathname + url.search + url.hash);
})();
