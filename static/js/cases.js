// Application form: tick a material's label once a file is chosen for it, so the applicant sees
// at a glance which of the guide's materials are still to be uploaded.
document.addEventListener("change", function (event) {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") {
    return;
  }
  const wrapper = input.closest(".material-input");
  if (wrapper) {
    wrapper.classList.toggle("chosen", input.files && input.files.length > 0);
  }
});

// Agent fields only when "委托代理人办理" is ticked (without JavaScript they simply stay visible).
document.addEventListener("DOMContentLoaded", function () {
  const toggle = document.querySelector("input[name=has_agent]");
  if (!toggle) {
    return;
  }
  const names = ["agent_name", "agent_id_number", "agent_mobile"];
  const wrappers = names
    .map(function (name) {
      const input = document.querySelector("[name=" + name + "]");
      return input ? input.closest(".mb-3") : null;
    })
    .filter(Boolean);
  function sync() {
    const hasErrors = wrappers.some(function (w) {
      return w.querySelector(".is-invalid");
    });
    wrappers.forEach(function (w) {
      w.classList.toggle("d-none", !toggle.checked && !hasErrors);
    });
  }
  toggle.addEventListener("change", sync);
  sync();
});
