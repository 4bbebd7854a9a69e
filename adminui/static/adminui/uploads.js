// Checks an export's size in the browser before the upload starts, so a file over the server's
// limit (IMPORT_MAX_ZIP_SIZE_MB, given by the input's data-max-bytes) is refused at once instead
// of after minutes of uploading. The server checks again; this only saves the wait.
(function () {
  "use strict";

  function megabytes(bytes) {
    return String(Math.ceil((bytes * 10) / 1048576) / 10);
  }

  function check(input) {
    var most = Number(input.getAttribute("data-max-bytes"));
    var file = input.files && input.files[0];
    var message = "";
    if (file && most && file.size > most) {
      message = file.name + " is " + megabytes(file.size) + " MB; the most an import may be is " +
        input.getAttribute("data-max-label") + ". Upload a smaller file: the JSON files inside " +
        "Spotify's ZIP can be uploaded one at a time.";
    }
    input.setCustomValidity(message);
    var note = document.getElementById(input.getAttribute("data-size-error"));
    if (note) {
      note.textContent = message;
      note.hidden = !message;
    }
    return !message;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      input.addEventListener("change", function () { check(input); });
      if (input.form) {
        input.form.addEventListener("submit", function (event) {
          if (!check(input)) {
            event.preventDefault();
            input.focus();
          }
        });
      }
    });
  });
})();
