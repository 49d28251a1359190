// Optional enhancement: "Copy" buttons copy the text of the element named by data-copy.
// Everything works without it (the link is shown as text beside the button).
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button || !navigator.clipboard) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) return;
  navigator.clipboard.writeText(source.textContent.trim()).then(function () {
    var done = button.getAttribute("data-copied");
    if (done) button.textContent = done;
  });
});
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  button.hidden = false;
});
// Optional enhancement: after a form with errors, move focus to the error summary so that a
// screen reader announces it and Tab goes next to its links (GOV.UK error summary pattern).
var summary = document.querySelector(".error-summary");
if (summary) {
  summary.setAttribute("tabindex", "-1");
  summary.focus();
}
