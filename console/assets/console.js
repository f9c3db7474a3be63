// The one script of the console (served from here, allowed by the Content-Security-Policy's
// script-src 'self'). Every page works without it; it only tells the sign-in form the browser's
// time zone and brings a form's problem summary into view.
document.addEventListener('DOMContentLoaded', function () {
  var zone = '';
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    zone = '';
  }
  document.querySelectorAll('input[data-browser-time-zone]').forEach(function (input) {
    input.value = zone;
  });
  var summary = document.querySelector('.error-summary');
  if (summary) summary.focus();
});
