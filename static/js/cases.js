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
