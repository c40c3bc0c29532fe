"use strict";
// The crontab field's plain-language translation on the periodic task page
// (django-celery-beat's inline script, as a file the content security policy allows).
window.addEventListener("load", function () {
  const $ = django.jQuery;
  const readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
  const help = $(".field-crontab .help");
  const original = help.text();
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    const translation = readable[$("#id_crontab").val()] || "";
    help.empty().append(
      document.createTextNode(original),
      document.createElement("br"),
      document.createTextNode("Translation: " + translation),
    );
  });
});
