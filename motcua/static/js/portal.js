// Citizen portal enhancements (progressive: every form works without JavaScript).
// - checks file size and type before an upload starts;
// - shows an upload progress bar for large files (XMLHttpRequest upload events);
// - the e-form autosave itself is declarative htmx (hx-trigger="change delay:1s").
(function () {
  "use strict";

  function human(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function typeAllowed(file, accept) {
    if (!accept) { return true; }
    var list = accept.split(",");
    for (var i = 0; i < list.length; i++) {
      var t = list[i].trim();
      if (!t) { continue; }
      if (t === file.type) { return true; }
      if (t.slice(-2) === "/*" && file.type.indexOf(t.slice(0, -1)) === 0) { return true; }
    }
    // Phone cameras may give HEIC or an empty type: the server decides.
    return file.type === "";
  }

  function check(form) {
    var max = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
    var accept = form.getAttribute("data-accept") || "";
    var inputs = form.querySelectorAll("input[type=file]");
    var problems = [];
    var count = 0;
    var total = 0;
    for (var i = 0; i < inputs.length; i++) {
      for (var j = 0; j < inputs[i].files.length; j++) {
        var f = inputs[i].files[j];
        count += 1;
        total += f.size;
        if (max && f.size > max) {
          problems.push("“" + f.name + "” nặng " + human(f.size) + ", vượt quá giới hạn " + human(max) + ".");
        }
        if (!typeAllowed(f, accept.indexOf("image/") === -1 ? accept : accept + ",image/jpeg,image/png")) {
          problems.push("“" + f.name + "” không đúng định dạng cho phép (PDF, JPEG, PNG).");
        }
      }
    }
    if (!count) { problems.push("Vui lòng chọn tệp hoặc chụp ảnh giấy tờ."); }
    return { problems: problems, total: total };
  }

  function showProblems(form, problems) {
    var box = form.querySelector(".upload-check");
    if (!box) { return; }
    box.textContent = problems.join(" ");
    box.hidden = problems.length === 0;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") { return; }
    var form = input.closest("form[data-upload]");
    if (form) {
      var result = check(form);
      showProblems(form, result.total ? result.problems : []);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-upload")) { return; }
    var result = check(form);
    showProblems(form, result.problems);
    if (result.problems.length) {
      event.preventDefault();
      var box = form.querySelector(".upload-check");
      if (box) { box.setAttribute("tabindex", "-1"); box.focus(); }
      return;
    }
    if (!window.XMLHttpRequest || !window.FormData) { return; }
    event.preventDefault();
    var bar = form.querySelector(".upload-progress");
    var button = form.querySelector("button[type=submit]");
    if (bar) { bar.hidden = false; bar.value = 0; }
    if (button) { button.disabled = true; }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.pathname);
    xhr.upload.addEventListener("progress", function (e) {
      if (bar && e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        bar.textContent = bar.value + "%";
      }
    });
    xhr.addEventListener("load", function () {
      if (xhr.status < 400 && xhr.responseURL) {
        window.location.assign(xhr.responseURL);
        return;
      }
      // Errors come back as a full page: show it as it is.
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      if (button) { button.disabled = false; }
      if (bar) { bar.hidden = true; }
      showProblems(form, ["Mất kết nối khi tải lên, vui lòng thử lại."]);
    });
    xhr.send(new FormData(form));
  });

  // Reveal the on-behalf fields only when the box is ticked (they stay in the page
  // without JavaScript).
  function syncBehalf() {
    var box = document.getElementById("id_on_behalf");
    if (!box) { return; }
    ["id_principal_name", "id_principal_id"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.closest(".field").hidden = !box.checked; }
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_on_behalf") { syncBehalf(); }
  });
  document.addEventListener("DOMContentLoaded", syncBehalf);
})();
