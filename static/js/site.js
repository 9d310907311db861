// htmx sends the CSRF token with every request it makes (the cookie is read by Django's default name).
document.addEventListener("htmx:configRequest", function (event) {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) {
    event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
  }
});

// A form is sent once: a second click or Enter while the first request is on its way does nothing.
// Forms that upload files report their progress. Without JavaScript both are plain forms.
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) {
    return;
  }
  if (form.dataset.sending === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.sending = "1";
  const buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
  // Disabled after the browser has read the clicked button's name and value into the request.
  window.setTimeout(function () {
    buttons.forEach(function (b) {
      b.setAttribute("aria-disabled", "true");
      b.classList.add("disabled");
    });
  }, 0);
  const hasFiles = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
    return input.files && input.files.length > 0;
  });
  // Attributes, not form.method / form.action: a field named "action" would shadow the property.
  const method = (form.getAttribute("method") || "get").toLowerCase();
  const enctype = (form.getAttribute("enctype") || "").toLowerCase();
  if (method !== "post" || enctype !== "multipart/form-data" || !hasFiles || !window.FormData) {
    return;
  }
  event.preventDefault();
  uploadWithProgress(form, event.submitter);
});

function uploadWithProgress(form, submitter) {
  const data = new FormData(form);
  if (submitter && submitter.name) {
    data.append(submitter.name, submitter.value);
  }
  const status = document.createElement("div");
  status.className = "upload-progress mt-2";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const bar = document.createElement("progress");
  bar.max = 100;
  bar.value = 0;
  const label = document.createElement("span");
  label.className = "ms-2";
  label.textContent = document.documentElement.lang === "en" ? "Uploading… 0%" : "正在上传… 0%";
  status.appendChild(bar);
  status.appendChild(label);
  (submitter || form.lastElementChild).insertAdjacentElement("afterend", status);
  const english = document.documentElement.lang === "en";
  const xhr = new XMLHttpRequest();
  xhr.open("POST", new URL(form.getAttribute("action") || window.location.href, window.location.href).href);
  xhr.upload.addEventListener("progress", function (e) {
    if (e.lengthComputable) {
      const percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      label.textContent = (english ? "Uploading… " : "正在上传… ") + percent + "%";
    }
  });
  xhr.addEventListener("load", function () {
    label.textContent = english ? "Uploaded, checking the files…" : "已上传，正在检查文件…";
    // Show the page the server answered with (after a redirect: the next page, with its one-time
    // messages, which a second request would lose), at its own address.
    const html = xhr.responseText;
    const address = xhr.responseURL || window.location.href;
    document.open();
    document.write(html);
    document.close();
    if (address !== window.location.href) {
      window.history.replaceState(null, "", address);
    }
  });
  xhr.addEventListener("error", function () {
    form.dataset.sending = "";
    label.textContent = english ? "The upload failed: check the connection and send again." : "上传失败，请检查网络后重新提交。";
    form.querySelectorAll(".disabled").forEach(function (b) {
      b.classList.remove("disabled");
      b.removeAttribute("aria-disabled");
    });
  });
  xhr.send(data);
}

// Back to a page kept by the browser: its forms may be sent again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sending]").forEach(function (form) {
    form.dataset.sending = "";
    form.querySelectorAll(".disabled[aria-disabled]").forEach(function (b) {
      b.classList.remove("disabled");
      b.removeAttribute("aria-disabled");
    });
  });
});

// Result lists under a search box (the counter's item picker): the arrow keys move from the box
// through the results; Enter follows the focused link as usual.
document.addEventListener("keydown", function (event) {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") {
    return;
  }
  const box = document.getElementById("counter-item-search");
  const list = document.getElementById("counter-item-list");
  if (!box || !list) {
    return;
  }
  const links = Array.prototype.slice.call(list.querySelectorAll("a"));
  const at = links.indexOf(document.activeElement);
  if (document.activeElement !== box && at < 0) {
    return;
  }
  event.preventDefault();
  if (event.key === "ArrowDown") {
    (links[at + 1] || links[links.length - 1]).focus();
  } else if (at <= 0) {
    box.focus();
  } else {
    links[at - 1].focus();
  }
});

// Phones: every list table becomes stacked cards (CSS .table-stack below 768 px), each cell headed
// by its column's name. Tables that are a matrix to read across (class no-stack) stay tables.
function stackTables(root) {
  root.querySelectorAll("main table.table:not(.no-stack):not(.table-stack)").forEach(function (table) {
    const head = table.tHead && table.tHead.rows[0];
    if (!head || Array.prototype.some.call(head.cells, function (c) { return c.colSpan > 1; })) {
      return;
    }
    const names = Array.prototype.map.call(head.cells, function (c) { return c.textContent.trim(); });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        Array.prototype.forEach.call(row.cells, function (cell, i) {
          if (!cell.hasAttribute("data-label") && names[i] && cell.colSpan === 1) {
            cell.setAttribute("data-label", names[i]);
          }
        });
      });
    });
    table.classList.add("table-stack");
  });
}
document.addEventListener("DOMContentLoaded", function () { stackTables(document); });
document.addEventListener("htmx:afterSwap", function (event) { stackTables(event.target.closest("main") ? event.target : document); });

// A table wider than its box scrolls inside it: the box must then take the keyboard focus so that
// it can be scrolled without a mouse (WCAG 2.1.1).
function focusableScrollers() {
  document.querySelectorAll(".table-responsive").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        const caption = box.querySelector("caption");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : document.documentElement.lang === "en" ? "Table, scrolls sideways" : "表格，可左右滚动");
      }
      box.setAttribute("role", "region");
    } else if (box.getAttribute("tabindex") === "0") {
      box.removeAttribute("tabindex");
    }
  });
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
window.addEventListener("resize", focusableScrollers);
document.addEventListener("htmx:afterSwap", focusableScrollers);
