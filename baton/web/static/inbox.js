// Filters that apply on change: a listener here, not an inline onchange attribute,
// because the Content-Security-Policy allows only scripts served from /static.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();

// Live progress: poll the run's checkpointed audit records while it runs, then reload
// the page so it shows the review packet, the outputs or the error.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box) { return; }
  var list = document.getElementById("nodes");
  function render(nodes) {
    list.textContent = "";
    nodes.forEach(function (n) {
      var li = document.createElement("li");
      var strong = document.createElement("strong");
      strong.textContent = n.node;
      li.appendChild(strong);
      var who = n.kind === "human" ? " (human: " + n.actor + ")" : "";
      li.appendChild(document.createTextNode(who + " — " + n.decision));
      list.appendChild(li);
    });
  }
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        render(p.nodes);
        if (p.status !== "running" && !p.active) { window.location.reload(); return; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
