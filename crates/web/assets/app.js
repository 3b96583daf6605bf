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
