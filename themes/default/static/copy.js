// A copy button on every command of a remedy step (progressive: without
// JavaScript the command is plain text to select).
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("pre.step-command").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy the command");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(pre.querySelector("code").textContent).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      }, function () { button.textContent = "Select and copy"; });
    });
    pre.appendChild(button);
  });
})();
